/**
 * Acceptance (issue 12): "a scripted r-002 outage at a known time → `/replay` at that instant shows
 * r-002 offline, one second earlier healthy; the outage is among the markers and a click on it
 * moves the cursor there; playing at 60× advances the views; the deep link reopens the same
 * instant" — and a manager cannot replay another restaurant.
 *
 * The outage is placed a few seconds into a whole minute, after the fleet connected in the minute
 * before: a connections-drop marker compares a minute with the one before it, and exists once the
 * outage minute is settled and stored (a minute and some seconds later) — so the first test waits
 * for it; the others reuse what it found.
 */
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openLink, restaurantRows, signIn } from './support/dashboard.ts';
import { measured } from './support/measured.ts';
import { repoRoot, startPulseSystem, type PulseSystem } from './support/pulse-system.ts';
import { faultStart, type FaultStart } from './support/truth.ts';

const terminals = 4;
const MINUTE = 60_000;
let system: PulseSystem | undefined;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  // The outage 3–13 s into the first whole minute at least 40 s away (the simulator starts within
  // seconds of this call and connects the fleet well before that minute begins: the marker test
  // looks 20 s before the outage, which must be after the fleet connected).
  const now = Date.now();
  const minute = Math.ceil((now + 40_000) / MINUTE) * MINUTE;
  const at = Math.ceil((minute - now) / 1000) + 3;
  system = await startPulseSystem({
    heartbeatMs: 1000,
    graceMs: 500,
    scenario: {
      name: 'e2e-replay-r-002-outage',
      fleet: { restaurants: 4, terminals },
      network: { default: 'lan' },
      faults: [{ type: 'outage', at, duration: 40, restaurants: ['r-002'] }],
    },
  });
});
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  if (system && testInfo.status !== testInfo.expectedStatus) await testInfo.attach('processes.log', { body: system.logs(), contentType: 'text/plain' });
});
test.afterAll(async () => {
  await system?.stop();
  system = undefined;
});

const sys = (): PulseSystem => {
  if (!system) throw new Error('the system did not start (see beforeAll)');
  return system;
};
const tokenOf = (link: string): string => new URL(link).hash.replace(/^#token=/, '');

/** What the first test found: the outage's start (simulator clock) and its marker. */
let outage: { start: FaultStart; marker: { t: number; description: string } } | undefined;
const known = () => {
  if (!outage) throw new Error('the first test did not find the outage marker');
  return outage;
};

function replayUrl(at: number, extra: Record<string, string> = {}): string {
  const { start } = known();
  const q = new URLSearchParams({ from: String(start.t - 2 * MINUTE), to: String(start.t + MINUTE), at: String(at), ...extra });
  return `${sys().hubUrl}/replay?${q}`;
}

async function row(page: Page, rid: string) {
  return (await restaurantRows(page)).find((r) => r.rid === rid);
}

async function expectRow(page: Page, rid: string, want: { status: string; connections: number }, message: string): Promise<void> {
  await expect.poll(async () => ((r) => r && { status: r.status, connections: r.connections })(await row(page, rid)), { message, timeout: 10_000, intervals: [100] }).toEqual(want);
}

async function bannerAt(page: Page): Promise<number> {
  return Number(await page.getByTestId('replay-banner-text').getAttribute('data-at'));
}

test('the outage is stored and found: a connections drop of r-002 at its first close', async ({ page }) => {
  test.setTimeout(300_000);
  const s = sys();
  await expect.poll(() => faultStart(s.truth(), 0) !== undefined, { message: 'the outage started', timeout: 150_000, intervals: [250] }).toBe(true);
  const start = faultStart(s.truth(), 0)!;
  // Every r-002 terminal was closed within the outage's first second (the "instant" below relies on it).
  const closes = s.truth().filter((e) => e.ev === 'close' && e.rid === 'r-002' && e.t >= start.t);
  expect(closes.length).toBe(terminals);
  for (const c of closes) expect(c.t - start.t).toBeLessThan(1000);
  const token = tokenOf(s.printedLink);
  type Marker = { t: number; kind: string; scope: string; description: string };
  const find = async (): Promise<Marker | undefined> => {
    const res = await page.request.get(`${s.hubUrl}/api/replay/markers?from=${start.t - 2 * MINUTE}&to=${Date.now()}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok()) return undefined;
    const body = (await res.json()) as { markers: Marker[] };
    return body.markers.find((m) => m.kind === 'connections_drop' && m.scope === 'r-002');
  };
  // Stored once the outage minute settles (5 s after it ends) and the write queue flushes.
  await expect.poll(async () => (await find()) !== undefined, { message: 'the r-002 drop marker', timeout: 150_000, intervals: [1000] }).toBe(true);
  const marker = (await find())!;
  expect(marker.t - start.t).toBeGreaterThanOrEqual(-1000);
  expect(marker.t - start.t).toBeLessThan(2000);
  outage = { start, marker };
  measured(`r-002 outage started ${new Date(start.t).toISOString()}; its marker at +${marker.t - start.t} ms: "${marker.description}"`);
});

test('/replay at the outage instant shows r-002 offline; one second before, healthy — under a replay banner', async ({ page }) => {
  const { start, marker } = known();
  await signIn(page, sys().printedLink);
  const during = start.t + 1000;
  await openLink(page, replayUrl(during));
  await expect(page.getByTestId('replay-banner')).toBeVisible();
  await expect(page.getByTestId('replay-banner-text')).toContainText(/^Replay — \d\d:\d\d:\d\d, 1× \(paused\)$/);
  expect(await bannerAt(page)).toBe(during);
  await expectRow(page, 'r-002', { status: 'offline', connections: 0 }, 'r-002 offline at the outage');
  await expect(page.getByTestId('restaurant-row-r-002')).toContainText(`0 / ${terminals}`);
  for (const rid of ['r-001', 'r-003', 'r-004']) await expectRow(page, rid, { status: 'healthy', connections: terminals }, `${rid} untouched`);
  await page.screenshot({ path: join(repoRoot, 'test-results', 'screens', 'replay-outage.png'), fullPage: true });

  const before = Math.min(start.t, marker.t) - 1000;
  await openLink(page, replayUrl(before));
  expect(await bannerAt(page)).toBe(before);
  await expectRow(page, 'r-002', { status: 'healthy', connections: terminals }, 'r-002 healthy a second before');

  // One click back to live: the banner goes, the header's own connection is live.
  await page.getByRole('link', { name: 'Back to live' }).click();
  await expect(page).toHaveURL(`${sys().hubUrl}/`);
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live');
});

test('the outage is among the markers; a click moves the cursor there; the URL is a deep link to that instant', async ({ page }) => {
  const { start, marker } = known();
  await signIn(page, sys().printedLink);
  await openLink(page, replayUrl(start.t - 20_000));
  await expectRow(page, 'r-002', { status: 'healthy', connections: terminals }, 'r-002 healthy 20 s before');
  const item = page.getByTestId('replay-markers').getByRole('button', { name: new RegExp(`r-002: connections fell ${terminals} → 0`) });
  await expect(item).toBeVisible();
  await item.click();
  await expect.poll(() => bannerAt(page)).toBe(marker.t);
  // The address follows (throttled to once a second).
  await expect.poll(() => new URL(page.url()).searchParams.get('at'), { timeout: 3_000 }).toBe(String(marker.t));
  // A second on by the keyboard (→): every r-002 terminal is closed by then.
  await page.locator('body').press('ArrowRight');
  await expect.poll(() => bannerAt(page)).toBe(marker.t + 1000);
  await expectRow(page, 'r-002', { status: 'offline', connections: 0 }, 'r-002 offline a second after its marker');
  await expect.poll(() => new URL(page.url()).searchParams.get('at'), { timeout: 3_000 }).toBe(String(marker.t + 1000));

  // The deep link, opened afresh, shows the same instant and the same fleet.
  const link = page.url();
  await page.goto('about:blank');
  await openLink(page, link);
  expect(await bannerAt(page)).toBe(marker.t + 1000);
  await expectRow(page, 'r-002', { status: 'offline', connections: 0 }, 'the deep link reopens r-002 offline');
});

test('playing at 60× advances the views through the outage', async ({ page }) => {
  const { start } = known();
  await signIn(page, sys().printedLink);
  const from = start.t - 20_000;
  await openLink(page, replayUrl(from, { speed: '60' }));
  await expectRow(page, 'r-002', { status: 'healthy', connections: terminals }, 'r-002 healthy 20 s before');
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  await expect(page.getByTestId('replay-banner-text')).toContainText('60×');
  const wallStart = Date.now();
  await page.getByTestId('replay-play').click();
  // 20 s of replay at 60× is a third of a second: r-002 goes offline on screen soon after.
  await expectRow(page, 'r-002', { status: 'offline', connections: 0 }, 'r-002 offline while playing');
  const reachedMs = Date.now() - wallStart;
  await expect.poll(() => bannerAt(page)).toBeGreaterThan(start.t + 30_000);
  // …and back: the outage lasts 40 s, so 60× plays through its end within a couple of seconds.
  await expectRow(page, 'r-002', { status: 'healthy', connections: terminals }, 'r-002 connected again while playing');
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  measured(`replay at 60×: r-002 offline on screen ${reachedMs} ms (wall) after play; long tasks while playing: ${longTasks.length} (${longTasks.map((d) => Math.round(d)).join(', ') || 'none'} ms)`);
  await page.getByTestId('replay-play').click();
  await expect(page.getByTestId('replay-banner-text')).toContainText('(paused)');
});

test('a manager replays their own restaurants only: the page and every replay answer', async ({ page }) => {
  const { start } = known();
  const link = await sys().viewerLink('manager', ['r-001']);
  await signIn(page, link);
  await openLink(page, replayUrl(start.t + 1000));
  await expect(page.getByTestId('scope-title')).toHaveText('Your restaurants (1)');
  await expect.poll(async () => (await restaurantRows(page)).map((r) => r.rid)).toEqual(['r-001']);
  await expect(page.getByTestId('replay-markers').getByRole('button', { name: /r-002/ })).toHaveCount(0);
  const headers = { authorization: `Bearer ${tokenOf(link)}` };
  const base = sys().hubUrl;
  for (const path of [
    `/api/replay/fleet?t=${start.t + 1000}`,
    `/api/replay/changes?from=${start.t - 10_000}&to=${start.t + 10_000}&step=1000`,
    `/api/replay/markers?from=${start.t - 2 * MINUTE}&to=${start.t + MINUTE}`,
  ]) {
    const res = await page.request.get(`${base}${path}`, { headers });
    expect(res.status(), path).toBe(200);
    const body = await res.text();
    if (path.startsWith('/api/replay/fleet')) expect(body, path).toContain('r-001');
    expect(body.includes('r-002'), `${path} mentions r-002`).toBe(false);
  }
});
