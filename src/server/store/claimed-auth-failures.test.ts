/**
 * `readClaimedAuthFailures` on both engines: the refused tokens whose unverified claims name a
 * terminal (stored under no restaurant, issue 18 item 9), found by their claims alone — never a
 * terminal's own events, never a token that claimed the same till of another restaurant — in time
 * order, within a half-open window, bounded by a limit.
 */
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import type { LifecycleEvent } from './store.ts';
import { describeEachEngine, type StoreEngine } from './test-helpers/engines.ts';
import { T0, authFailEvent, closeEvent, openEvent } from './test-helpers/fixtures.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function openOn(engine: StoreEngine) {
  const place = await engine.newPlace();
  cleanups.push(place.remove);
  const { store } = await place.open({ clock: new FakeClock(T0) });
  cleanups.push(() => store.close());
  return store;
}

const mine = { rid: 'r-001', tid: 'r-001-t1' };
const refused = (t: number, claimed?: { rid?: string; tid?: string }, reason: 'bad_signature' | 'expired' = 'bad_signature'): LifecycleEvent => ({
  type: 'auth_fail',
  gw: 'gw-1',
  t,
  reason,
  ...(claimed?.rid !== undefined ? { claimedRid: claimed.rid } : {}),
  ...(claimed?.tid !== undefined ? { claimedTid: claimed.tid } : {}),
});

describeEachEngine('refused tokens by their claims', (engine) => {
  it('finds the refused tokens that claimed the terminal, and nothing else', async () => {
    const store = await openOn(engine);
    await store.writeEvents([
      openEvent(T0, 'r-001-t1'),
      refused(T0 + 10, mine),
      refused(T0 + 20, { rid: 'r-002', tid: 'r-001-t1' }), // the same till id, another restaurant's claim
      refused(T0 + 30, { tid: 'r-001-t1' }), // no restaurant claimed
      refused(T0 + 40, { rid: 'r-001', tid: 'r-001-t2' }),
      refused(T0 + 50), // unreadable: no claims at all
      closeEvent(T0 + 60, 'r-001-t1'),
      authFailEvent(T0 + 70, mine),
    ]);
    const ofRestaurant = await store.readClaimedAuthFailures({ claimedTid: 'r-001-t1', claimedRid: 'r-001', from: T0, to: T0 + 1000, limit: 10 });
    expect(ofRestaurant.map((e) => [e.t, e.reason])).toEqual([
      [T0 + 10, 'bad_signature'],
      [T0 + 70, 'expired'],
    ]);
    expect(ofRestaurant[0]).toEqual({ type: 'auth_fail', gw: 'gw-1', t: T0 + 10, reason: 'bad_signature', claimedRid: 'r-001', claimedTid: 'r-001-t1' });

    // Without a restaurant: every claim of that till id, whichever restaurant it named (or none).
    const anyRestaurant = await store.readClaimedAuthFailures({ claimedTid: 'r-001-t1', from: T0, to: T0 + 1000, limit: 10 });
    expect(anyRestaurant.map((e) => e.t)).toEqual([T0 + 10, T0 + 20, T0 + 30, T0 + 70]);

    // The terminal's own events are still its own, and the refusals are not among them.
    expect((await store.readEvents({ tid: 'r-001-t1', from: T0, to: T0 + 1000 })).map((e) => e.type)).toEqual(['open', 'close']);
  });

  it('reads a half-open window in time order, bounded by the limit', async () => {
    const store = await openOn(engine);
    // Written out of order, two in one millisecond: the order is by time, then as written.
    await store.writeEvents([refused(T0 + 300, mine), refused(T0 + 100, mine, 'expired'), refused(T0 + 100, mine), refused(T0 + 200, mine), refused(T0 + 400, mine)]);
    const q = { claimedTid: mine.tid, claimedRid: mine.rid };
    expect((await store.readClaimedAuthFailures({ ...q, from: T0 + 100, to: T0 + 400, limit: 10 })).map((e) => [e.t, e.reason])).toEqual([
      [T0 + 100, 'expired'],
      [T0 + 100, 'bad_signature'],
      [T0 + 200, 'bad_signature'],
      [T0 + 300, 'bad_signature'],
    ]);
    expect((await store.readClaimedAuthFailures({ ...q, from: T0, to: T0 + 1000, limit: 2 })).map((e) => e.t)).toEqual([T0 + 100, T0 + 100]);
    expect(await store.readClaimedAuthFailures({ ...q, from: -Infinity, to: Infinity, limit: 10 })).toHaveLength(5);
  });

  it('refuses a limit that is not a positive whole number', async () => {
    const store = await openOn(engine);
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(store.readClaimedAuthFailures({ claimedTid: mine.tid, from: T0, to: T0 + 1, limit })).rejects.toMatchObject({ code: 'STORE_INVALID_ROW' });
    }
  });
});
