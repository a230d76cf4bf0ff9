/**
 * Acceptance (issue 13): "a manager sees only their restaurants, ranked, with the trend against last
 * week from seeded history; CSV matches the API". A real hub process over a SQLite store seeded
 * with two weeks of restaurant-minutes and a restaurants file; a real browser signed in as a
 * manager of r-001 and r-002.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RestaurantMinute } from '../src/core/rollup.ts';
import { stabilityAnswerSchema } from '../src/protocol/stability.ts';
import { openSqliteStore } from '../src/server/store/sqlite-store.ts';
import { Child } from './support/child.ts';
import { signIn } from './support/dashboard.ts';
import { freePorts } from './support/free-port.ts';
import { repoRoot } from './support/pulse-system.ts';

const pulseBin = join(repoRoot, 'bin', 'pulse.js');

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** One stored minute per hour over the last 14 days, `share(daysAgo)` of 4 terminals healthy. */
function history(rid: string, now: number, share: (daysAgo: number) => number): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  const end = Math.floor(now / HOUR) * HOUR - HOUR;
  for (let t = end - 14 * DAY + HOUR; t <= end; t += HOUR) {
    const s = share((now - t) / DAY);
    rows.push({ rid, minute: t, counters: { expectedMs: 4 * MIN, healthyMs: 4 * MIN * s, connectedMs: 4 * MIN * s, reconnects: 2, 'closes.1006': 1 }, gauges: {}, histograms: {} });
  }
  return rows;
}

let dataDir = '';
let hub: Child | undefined;
let hubUrl = '';

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pulse-e2e-stability-'));
  const now = Date.now();
  const { store } = await openSqliteStore({ dataDir });
  await store.writeMinutes([
    ...history('r-001', now, (d) => (d < 7 ? 0.5 : 1)), // worse: 100 % → 50 %
    ...history('r-002', now, (d) => (d < 7 ? 1 : 0.75)), // better: 75 % → 100 %
    ...history('r-003', now, () => 0.1), // someone else's, the worst of all
  ]);
  await store.close();
  const file = join(dataDir, 'restaurants.json');
  writeFileSync(file, JSON.stringify({ restaurants: [
    { id: 'r-001', name: 'Lille centre', tags: ['region:north'] },
    { id: 'r-002', name: 'Leeds station', tags: ['region:south'] },
    { id: 'r-003', name: 'Hidden bistro', tags: ['region:north'] },
  ] }));
  const [port] = await freePorts(1);
  hubUrl = `http://127.0.0.1:${port}`;
  hub = new Child({
    name: 'hub',
    command: process.execPath,
    args: [pulseBin, 'hub', '--port', String(port), '--data', dataDir, '--restaurants-file', file, '--static', process.env.PULSE_E2E_STATIC ?? join(repoRoot, 'dist'), '--log-level', 'warn'],
    cwd: repoRoot,
  });
  await hub.waitForLine(/pulse hub listening/, 30_000);
});

test.afterAll(async () => {
  await hub?.stop('SIGTERM', 8000);
  rmSync(dataDir, { recursive: true, force: true });
});

async function managerToken(): Promise<string> {
  let out = '';
  // The raw line: the captured output is redacted, tokens included.
  const c = new Child({ name: 'token', command: process.execPath, args: [pulseBin, 'token', 'viewer', '--role', 'manager', '--restaurants', 'r-001,r-002', '--data', dataDir, '--ttl', '3600'], cwd: repoRoot, onStdoutLine: (l) => (out += l) });
  await c.exited;
  return out.trim();
}

test('a manager sees their restaurants ranked worst first, the trend against last week, and a CSV equal to the API', async ({ page }) => {
  const token = await managerToken();
  expect(token, 'pulse token viewer printed a token').not.toBe('');
  await signIn(page, `${hubUrl}/stability?period=7d#token=${token}`);
  const table = page.getByTestId('stability-table');
  await expect(table).toBeVisible({ timeout: 15_000 });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(2);
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-rid')))).toEqual(['r-001', 'r-002']);
  await expect(rows.nth(0).getByTestId('trend')).toHaveAttribute('data-trend', 'worse');
  await expect(rows.nth(1).getByTestId('trend')).toHaveAttribute('data-trend', 'better');
  await expect(rows.nth(0)).toContainText('Lille centre');
  await expect(rows.nth(0).getByTestId('stability')).toHaveText(/^5\d\.\d %$/);
  await expect(page.locator('main')).not.toContainText('Hidden bistro');
  await expect(page.locator('main')).not.toContainText('r-003');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n').map((l) => l.split(','));
  const header = csv[0]!;
  const col = (name: string) => header.indexOf(name);
  const api = stabilityAnswerSchema.parse(await (await fetch(`${hubUrl}/api/stability?period=7d`, { headers: { authorization: `Bearer ${token}` } })).json());
  expect(csv.slice(1).map((r) => r[col('rid')])).toEqual(api.restaurants.map((r) => r.rid));
  for (const [i, r] of api.restaurants.entries()) {
    const line = csv[i + 1]!;
    expect(Number(line[col('stability')])).toBeCloseTo(r.current.stability!, 4);
    expect(Number(line[col('change')])).toBeCloseTo(r.change.stability!, 4);
    expect(Number(line[col('disconnects')])).toBe(Object.values(r.current.disconnects).reduce((a, b) => a + b, 0));
  }

  // Sorting by a column and the tag filter are in the URL.
  await page.getByRole('button', { name: /^Stability/ }).click();
  await expect(page).toHaveURL(/sort=stability/);
  await page.getByTestId('stability-tag').selectOption('region:south');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-rid', 'r-002');
});
