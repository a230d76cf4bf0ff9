/**
 * Acceptance: "Kill the hub: the banner appears within 2 s; restart it: the page recovers without
 * reload, with no gap and no duplicated feed entries."
 *
 * The hub dies by SIGKILL (no goodbye frame, no flushed store) and comes back on the same port and
 * data. With the redis topology (support/topology.ts) the gateway and its terminals carry on while
 * the hub is away, and things happen meanwhile — a terminal leaves, another arrives: once back, the
 * page must show them (no gap), show nothing twice, keep what it showed, and count right. With the
 * all-in-one topology the gateway dies too; then every terminal's re-open must show, once.
 */
import { expect, test } from '@playwright/test';
import { captureLiveFrames, connectedTile, feedTexts, pageMarker, setPageMarker, signIn } from './support/dashboard.ts';
import { measured } from './support/measured.ts';
import { useSystem } from './support/system-fixture.ts';
import { connectTerminal } from './support/terminal.ts';
import { connectedCount, terminalsSeen, type TruthEvent } from './support/truth.ts';

const restaurants = 4;
const terminals = 3;
const system = useSystem({
  scenario: { name: 'e2e-hub-restart', fleet: { restaurants, terminals }, network: { default: 'lan' } },
});

/** Feed lines of one terminal and kind, e.g. "12:04:05 Connected r-001 · r-001-t2". */
const linesOf = (feed: readonly string[], label: 'Connected' | 'Disconnected', tid: string): string[] =>
  feed.filter((t) => t.includes(` ${label} `) && (t.endsWith(`· ${tid}`) || t.includes(`· ${tid} `)));

const opensAfter = (truth: readonly TruthEvent[], t: number): Map<string, number> => {
  const out = new Map<string, number>();
  for (const e of truth) if (e.ev === 'open' && e.t > t) out.set(e.tid, (out.get(e.tid) ?? 0) + 1);
  return out;
};

test('kill -9 the hub: banner within 2 s; restart: recovers in place, feed without gap or duplicate', async ({ page }) => {
  const sys = system();
  const apart = sys.topology === 'redis';
  const frames = captureLiveFrames(page);
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  // Two hand-driven terminals: one leaves while the hub is away, the other arrives meanwhile.
  const [leavingToken, arrivingToken] = apart ? await Promise.all([sys.terminalToken('r-001', 'r-001-h1'), sys.terminalToken('r-001', 'r-001-h2')]) : [];
  const leaving = leavingToken ? await connectTerminal(sys.gatewayUrl, leavingToken) : null;

  await signIn(page, sys.printedLink);
  const marker = await setPageMarker(page);
  const navigationsAtStart = navigations;
  const everyone = restaurants * terminals + (leaving ? 1 : 0);
  await expect.poll(async () => (await feedTexts(page)).length, { message: 'every first open in the feed', timeout: 10_000 }).toBeGreaterThanOrEqual(everyone);
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

  let arriving = null;
  if (leaving && arrivingToken) {
    expect(await leaving.close(1000, 'left while the hub was away')).toBe(1000);
    arriving = await connectTerminal(sys.gatewayUrl, arrivingToken);
    expect(arriving.first?.type).toBe('welcome');
  }
  // The age counts up while the hub is away (and the gateway's probe publishes those events).
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

  // No gap. (Soft: the checks after it say more about a failure, so they run anyway.)
  const soft = expect.configure({ soft: true });
  if (apart) {
    // What happened while the hub was away is shown once it is back, once each.
    await soft
      .poll(async () => linesOf(await feedTexts(page), 'Disconnected', 'r-001-h1'), { message: 'the close made while the hub was away', timeout: 5_000 })
      .toEqual([expect.stringContaining('1000 client close (by terminal) — left while the hub was away')]);
    soft(linesOf(await feedTexts(page), 'Connected', 'r-001-h2'), 'the open made while the hub was away').toHaveLength(1);
  } else {
    // The gateway went down with the hub: every terminal's re-open shows, once.
    const reopened = () => opensAfter(sys.truth(), killedAt);
    await expect.poll(() => reopened().size, { message: 'every terminal reconnected (truth)', timeout: 15_000 }).toBe(terminalsSeen(sys.truth()));
    await soft
      .poll(
        async () => {
          const feed = await feedTexts(page);
          return [...reopened()].filter(([tid, n]) => linesOf(feed, 'Connected', tid).length !== 1 + n).map(([tid]) => tid);
        },
        { message: 'terminals whose opens on screen differ from the truth', timeout: 5_000 },
      )
      .toEqual([]);
  }
  // And the figures are right again: the restarted hub counts what is connected, not only what it saw open.
  const truthConnected = () => connectedCount(sys.truth()) + (arriving ? 1 : 0);
  await soft.poll(async () => (await connectedTile(page))[0], { message: 'connected terminals equal the truth', timeout: 3_000 }).toBe(truthConnected());

  const after = await feedTexts(page);
  expect(new Set(after).size, 'no duplicated feed entry').toBe(after.length);
  // Nothing shown before is lost or reordered.
  expect(after.filter((t) => before.includes(t))).toEqual(before);

  // On the stream: each hub's frames are contiguous (snapshot at S, deltas S+1, S+2, …), and the
  // restarted hub (a new epoch) began with a snapshot.
  const stamped = frames.map((f) => JSON.parse(f.text) as { type: string; epoch?: string; seq?: number }).filter((f) => f.type === 'snapshot' || f.type === 'delta');
  const epochs = [...new Set(stamped.map((f) => f.epoch))];
  expect(epochs.length, 'one epoch before the kill, a new one after').toBe(2);
  for (const epoch of epochs) {
    const own = stamped.filter((f) => f.epoch === epoch);
    expect(own[0]!.type, `epoch ${epoch} starts with a snapshot`).toBe('snapshot');
    own.forEach((f, i) => i > 0 && expect(f.seq, `epoch ${epoch}: contiguous seqs`).toBe(own[i - 1]!.seq! + 1));
  }
  await arriving?.close(1000, 'done');
  measured(`hub kill (${sys.topology}): banner after ${bannerAfterMs} ms; live again ${liveAfterMs} ms after the hub restarted`);
});
