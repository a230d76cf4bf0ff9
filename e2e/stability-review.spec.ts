/**
 * Acceptance (issue 13): "a manager sees only their restaurants, ranked, with the trend against last
 * week from seeded history; CSV matches the API". A real hub process over a SQLite store seeded
 * with two weeks of restaurant-minutes and a restaurants file; a real browser signed in as a
 * manager of r-001 and r-002. Then the restaurant page's stability tab for r-002 (open 08:00–20:00):
 * the daily bars, the disconnects by code and the weekday × hour grid with closed hours shaded,
 * with the figures of the seeded history.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RestaurantMinute } from '../src/core/rollup.ts';
import { isoWeekRange } from '../src/core/stability/iso-week.ts';
import { restaurantStabilityAnswerSchema } from '../src/protocol/restaurant-stability.ts';
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
    // Open 08:00–20:00 UTC: its stability tab shades the other hours.
    { id: 'r-002', name: 'Leeds station', tags: ['region:south'], timezone: 'UTC', hours: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['08:00', '20:00']]])) },
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

test('the restaurant stability tab shows daily bars, disconnects by code and the week grid with closed hours shaded', async ({ page }) => {
  const token = await managerToken();
  await signIn(page, `${hubUrl}/restaurants/r-002?tab=stability&period=30d#token=${token}`);
  const tab = page.getByTestId('stability-tab');
  await expect(tab.getByTestId('stability-days')).toBeVisible({ timeout: 15_000 });
  const api = restaurantStabilityAnswerSchema.parse(await (await fetch(`${hubUrl}/api/restaurants/r-002/stability?period=30d`, { headers: { authorization: `Bearer ${token}` } })).json());
  expect([api.name, api.withHours, api.days.length]).toEqual(['Leeds station', true, 30]);

  // Seeded: 75 % of its open hours the week before, 100 % this week, nothing earlier.
  const bars = tab.getByTestId('stability-days').locator('rect');
  await expect(bars).toHaveCount(30);
  const shown = await bars.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-date'), r.getAttribute('data-stability')]));
  expect(shown).toEqual(api.days.map((d) => [d.date, d.stability === null ? '' : String(d.stability)]));
  const byDate = new Map(api.days.map((d) => [d.date, d.stability]));
  const dayAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
  expect([byDate.get(dayAgo(20)), byDate.get(dayAgo(10)), byDate.get(dayAgo(3))]).toEqual([null, 0.75, 1]);
  await expect(tab.getByTestId('stability-period-figure')).toHaveText(/^8\d\.\d %$/);

  // One 1006 close an hour, counted in the 12 open hours only.
  const causes = tab.getByTestId('stability-causes').locator('rect[data-code="1006"]');
  const counted = await causes.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-date'), Number(r.getAttribute('data-count'))]));
  expect(counted).toEqual(api.days.filter((d) => (d.closes['1006'] ?? 0) > 0).map((d) => [d.date, d.closes['1006']]));
  expect(counted.find(([date]) => date === dayAgo(10))?.[1]).toBe(12);
  await expect(tab).toContainText('1006 abnormal');

  // Closed at night, open at noon, every weekday; the worst hours are the week before's open ones.
  const grid = tab.getByTestId('stability-heat-map');
  await expect(grid.locator('rect[data-hour="3"][data-tone="closed"]')).toHaveCount(7);
  await expect(grid.locator('rect[data-hour="12"][data-tone="closed"]')).toHaveCount(0);
  await expect(tab.getByTestId('worst-hours').locator('li')).toHaveCount(5);
  // A manager gets no directory editor (engineers only).
  await expect(page.getByTestId('directory-editor')).toHaveCount(0);
  await expect(tab.getByTestId('worst-hours').locator('li').first()).toContainText(/\d\d:00–\d\d:00: \d+\.\d %/);

  // Another manager's restaurant: the same "not in your scope" as on the live tab, no figure.
  await page.goto(`${hubUrl}/restaurants/r-003?tab=stability`);
  await expect(page.getByTestId('not-in-scope')).toBeVisible();
  await expect(page.locator('main')).not.toContainText('Hidden bistro');
});

test('the stability page searches by name and tag, and downloads the weekly report of the manager\'s restaurants', async ({ page }) => {
  const token = await managerToken();
  await signIn(page, `${hubUrl}/stability?period=7d#token=${token}`);
  const rows = page.getByTestId('stability-table').locator('tbody tr');
  await expect(rows).toHaveCount(2, { timeout: 15_000 });
  await page.getByTestId('stability-search').fill('leeds');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-rid', 'r-002');
  await expect(page).toHaveURL(/q=leeds/);
  await page.getByTestId('stability-search').fill('region:north');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-rid', 'r-001');
  // Another manager's restaurant is not found by its name either.
  await page.getByTestId('stability-search').fill('hidden');
  await expect(rows).toHaveCount(0);
  await page.getByTestId('stability-search').fill('');

  const week = await page.getByTestId('report-week').inputValue();
  expect(week).toMatch(/^\d{4}-W\d\d$/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weekly report' }).click()]);
  expect(download.suggestedFilename()).toBe(`stability-${week}.html`);
  const html = readFileSync((await download.path())!, 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain(`week ${week}`);
  expect(html).toContain('Lille centre');
  expect(html).toContain('Leeds station');
  expect(html).not.toContain('Hidden bistro');
  expect(html).not.toContain('r-003');

  // Opened offline (no network at all), it shows the figures the API gives for that week.
  const range = isoWeekRange(week)!;
  const answer = stabilityAnswerSchema.parse(await (await fetch(`${hubUrl}/api/stability?from=${range.from}&to=${range.to}`, { headers: { authorization: `Bearer ${token}` } })).json());
  const offline = await page.context().browser()!.newContext({ offline: true });
  const report = await offline.newPage();
  await report.setContent(html);
  for (const r of answer.restaurants) await expect(report.locator('tr', { hasText: r.rid })).toContainText(`${(Math.floor(r.current.stability! * 1000) / 10).toFixed(1)} %`);
  await offline.close();
});

test('an engineer edits a restaurant\'s directory entry in the dashboard; it is written into the file and wrong fields are named', async ({ page }) => {
  let token = '';
  const c = new Child({ name: 'token', command: process.execPath, args: [pulseBin, 'token', 'viewer', '--role', 'engineer', '--data', dataDir, '--ttl', '3600'], cwd: repoRoot, onStdoutLine: (l) => (token += l) });
  await c.exited;
  await signIn(page, `${hubUrl}/restaurants/r-003?tab=stability&period=7d#token=${token.trim()}`);
  const editor = page.getByTestId('directory-editor');
  await expect(editor).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('directory-name')).toHaveValue('Hidden bistro');

  // A wrong zone and time: each named beside its field with the hub's code; the file unchanged.
  const file = join(dataDir, 'restaurants.json');
  const before = readFileSync(file, 'utf8');
  await page.getByTestId('directory-timezone').fill('Mars/Olympus');
  await page.getByTestId('directory-with-hours').check();
  await page.getByTestId('directory-hours-mon').fill('25:00-02:00');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('directory-error')).toContainText('DIRECTORY_INVALID');
  await expect(editor).toContainText('INVALID_TIMEZONE');
  await expect(editor).toContainText('INVALID_TIME');
  expect(readFileSync(file, 'utf8')).toBe(before);

  await page.getByTestId('directory-name').fill('Bistro du port');
  await page.getByTestId('directory-timezone').fill('UTC');
  await page.getByTestId('directory-hours-mon').fill('08:00-20:00');
  await page.getByTestId('directory-tags').fill('region:north, brand:bistro');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('directory-saved')).toBeVisible();
  await expect(page.getByTestId('stability-name')).toHaveText('Bistro du port');
  await expect(page.getByTestId('stability-summary')).toContainText('counted within opening hours');
  const entry = (JSON.parse(readFileSync(file, 'utf8')) as { restaurants: { id: string }[] }).restaurants.find((e) => e.id === 'r-003');
  expect(entry).toEqual({ id: 'r-003', name: 'Bistro du port', timezone: 'UTC', hours: { mon: [['08:00', '20:00']] }, tags: ['region:north', 'brand:bistro'] });

  // A manager sees no editor, and the hub refuses the call anyway.
  const manager = await managerToken();
  const refused = await fetch(`${hubUrl}/api/directory/r-001`, { method: 'PUT', headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' }, body: '{"name":"x"}' });
  expect(refused.status).toBe(403);
});

