/**
 * Acceptance: "Kill the hub: the banner appears within 2 s; restart it: the page recovers without
 * reload, with no gap and no duplicated feed entries."
 *
 * The hub dies by SIGKILL (no goodbye frame, no flushed store) and comes back on the same port and
 * data. While the topology is all-in-one (support/pulse-system.ts) the gateway dies with it, so
 * every terminal drops and reconnects: the feed must then show each of those re-opens exactly once,
 * and keep everything it showed before.
 */
import { expect, test } from '@playwright/test';
import { captureLiveFrames, feedTexts, pageMarker, setPageMarker, signIn } from './support/dashboard.ts';
import { measured } from './support/measured.ts';
import { useSystem } from './support/system-fixture.ts';
import { terminalsSeen, type TruthEvent } from './support/truth.ts';

const restaurants = 4;
const terminals = 3;
const system = useSystem({
  scenario: { name: 'e2e-hub-restart', fleet: { restaurants, terminals }, network: { default: 'lan' } },
});

/** Feed lines about one terminal connecting, e.g. "12:04:05 Connected r-001 · r-001-t2". */
const opensOf = (feed: readonly string[], tid: string): number => feed.filter((t) => t.includes(' Connected ') && t.endsWith(`· ${tid}`)).length;

const opensAfter = (truth: readonly TruthEvent[], t: number): Map<string, number> => {
  const out = new Map<string, number>();
  for (const e of truth) if (e.ev === 'open' && e.t > t) out.set(e.tid, (out.get(e.tid) ?? 0) + 1);
  return out;
};

test('kill -9 the hub: banner within 2 s; restart: recovers in place, feed without gap or duplicate', async ({ page }) => {
  const sys = system();
  const frames = captureLiveFrames(page);
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });

  await signIn(page, sys.printedLink);
  const marker = await setPageMarker(page);
  const navigationsAtStart = navigations;
  // Every terminal's first open is in the feed before anything happens.
  await expect.poll(async () => (await feedTexts(page)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(restaurants * terminals);
  const before = await feedTexts(page);
  expect(new Set(before).size, 'no duplicate before the kill').toBe(before.length);

  const killedAt = Date.now();
  await sys.killHub();
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toBeVisible({ timeout: 2_000 });
  const bannerAfterMs = Date.now() - killedAt;
  await expect(banner).toContainText(/Reconnecting — data \d+ s old/);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'reconnecting');
  // The figures grey out rather than pretend to be current.
  await expect(page.locator('[data-stale="true"]').first()).toBeVisible();
  // The age counts up while the hub is away.
  await expect(banner).toContainText(/data ([2-9]|\d\d+) s old/, { timeout: 4_000 });

  await sys.restartHub();
  const restartedAt = Date.now();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'live', { timeout: 20_000 });
  const liveAfterMs = Date.now() - restartedAt;
  await expect(banner).toHaveCount(0);

  // Recovered in place: same document, same JS realm.
  expect(await pageMarker(page)).toBe(marker);
  expect(navigations).toBe(navigationsAtStart);
  expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);

  // No gap: every terminal that reconnected after the kill shows its re-open(s) — once each.
  const expectedOpens = () => opensAfter(sys.truth(), killedAt);
  await expect.poll(() => expectedOpens().size, { message: 'every terminal reconnected (truth)', timeout: 15_000 }).toBe(terminalsSeen(sys.truth()));
  await expect
    .poll(
      async () => {
        const feed = await feedTexts(page);
        const want = expectedOpens();
        return [...want]
          .filter(([tid, reopens]) => opensOf(feed, tid) !== 1 + reopens)
          .map(([tid, reopens]) => `${tid}: ${opensOf(feed, tid)} shown, ${1 + reopens} in the truth`)
          .join('; ');
      },
      { message: 'terminals whose feed opens differ from the truth (first open + re-opens)', timeout: 5_000 },
    )
    .toBe('');

  const after = await feedTexts(page);
  expect(new Set(after).size, 'no duplicated feed entry').toBe(after.length);
  // Nothing shown before is lost or reordered: the old entries are still there, in order, after the new ones.
  expect(after.filter((t) => before.includes(t))).toEqual(before);

  // On the stream: each hub's frames are contiguous (snapshot at S, deltas S+1, S+2, …), and the
  // restarted hub (a new epoch) began with a snapshot.
  const stamped = frames
    .map((f) => ({ socket: f.socket, ...(JSON.parse(f.text) as { type: string; epoch?: string; seq?: number }) }))
    .filter((f) => f.type === 'snapshot' || f.type === 'delta');
  const epochs = [...new Set(stamped.map((f) => f.epoch))];
  expect(epochs.length, 'one epoch before the kill, a new one after').toBe(2);
  for (const epoch of epochs) {
    const own = stamped.filter((f) => f.epoch === epoch);
    expect(own[0]!.type, `epoch ${epoch} starts with a snapshot`).toBe('snapshot');
    own.forEach((f, i) => i > 0 && expect(f.seq, `epoch ${epoch}: contiguous seqs`).toBe(own[i - 1]!.seq! + 1));
  }
  measured(`hub kill: banner after ${bannerAfterMs} ms; live again ${liveAfterMs} ms after the hub restarted; ${after.length - before.length} new feed entries`);
});
