import { describe, expect, it } from 'vitest';
import { applyFrames } from './live-reducer.ts';
import { emptyLiveData } from './live-data.ts';
import { delta, figures, openEvent, snapshot, totals } from './test-helpers/live-fixtures.ts';

const now = 5_000;

describe('live reducer', () => {
  it('a snapshot replaces the state and seeds the feed', () => {
    const data = applyFrames(emptyLiveData(), [snapshot(10, { events: [openEvent(1, 't-1', 1)] })], now);
    expect(data.position).toEqual({ epoch: 'e1', seq: 10 });
    expect([...data.restaurants.keys()]).toEqual(['r-001', 'r-002']);
    expect(data.feed.entries).toHaveLength(1);
    expect(data.appliedAt).toBe(now);

    const again = applyFrames(data, [snapshot(20, { restaurants: [figures('r-009')], events: [openEvent(1, 't-1', 1)] })], now + 1);
    expect([...again.restaurants.keys()]).toEqual(['r-009']);
    expect(again.feed.entries).toHaveLength(1);
  });

  it('a delta merges changed restaurants, removes the removed, replaces totals', () => {
    const start = applyFrames(emptyLiveData(), [snapshot(10)], now);
    const next = applyFrames(
      start,
      [delta(11, { restaurants: [figures('r-002', { connections: 0, status: 'unhealthy' }), figures('r-003')], removed: ['r-001'], totals: totals({ connections: 4 }) })],
      now + 1000,
    );
    expect(next.restaurants.get('r-002')?.connections).toBe(0);
    expect(next.restaurants.has('r-001')).toBe(false);
    expect(next.restaurants.has('r-003')).toBe(true);
    expect(next.totals?.connections).toBe(4);
    expect(next.position?.seq).toBe(11);
    // The unchanged map is reused when a delta changes no restaurant: row selectors stay put.
    expect(applyFrames(next, [delta(12)], now).restaurants).toBe(next.restaurants);
  });

  it('a patch changes only the fields it carries; a patch for a restaurant never seen whole asks for a snapshot', () => {
    const start = applyFrames(emptyLiveData(), [snapshot(10, { restaurants: [figures('r-001', { rttMs: { p50: 20, p95: 40, p99: 60 } })] })], now);
    const next = applyFrames(start, [delta(11, { restaurants: [{ rid: 'r-001', connections: 3, deliveryMs: { p50: 5, p95: 9, p99: 12 } }] })], now);
    expect(next.restaurants.get('r-001')).toEqual(figures('r-001', { connections: 3, deliveryMs: { p50: 5, p95: 9, p99: 12 } }));
    // null is a value: the restaurant has no RTT samples any more.
    expect(applyFrames(next, [delta(12, { restaurants: [{ rid: 'r-001', rttMs: null }] })], now).restaurants.get('r-001')?.rttMs).toBeNull();

    const orphan = applyFrames(next, [delta(12, { restaurants: [{ rid: 'r-077', connections: 1 }] })], now);
    expect(orphan.restaurants.has('r-077')).toBe(false);
    expect(orphan.position?.seq).toBe(11);
    // An epoch no hub has: the hub answers a resume from it with a snapshot, not a replay.
    expect(orphan.resyncFrom).toEqual({ epoch: '-', seq: 0 });
    expect(applyFrames(orphan, [snapshot(15)], now).resyncFrom).toBeNull();
  });

  it('drops replayed deltas it already applied: no duplicate feed entries', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(10)], now);
    const d11 = delta(11, { events: [openEvent(5, 't-5', 5)] });
    const d12 = delta(12, { events: [openEvent(6, 't-6', 6)] });
    data = applyFrames(data, [d11, d12], now);
    // The hub replays from our `since`, which may lag what was already buffered and applied.
    data = applyFrames(data, [d11, d12, delta(13, { events: [openEvent(7, 't-7', 7)] })], now);
    expect(data.position?.seq).toBe(13);
    expect(data.feed.entries.map((e) => e.event.t)).toEqual([7, 6, 5]);
  });

  it('a gap stops applying until the missing deltas are replayed, in order', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(10)], now);
    data = applyFrames(data, [delta(12, { totals: totals({ connections: 1 }) }), delta(13)], now);
    expect(data.position?.seq).toBe(10);
    expect(data.resyncFrom).toEqual({ epoch: 'e1', seq: 10 });
    expect(data.totals?.connections).toBe(8);
    data = applyFrames(data, [delta(11), delta(12, { totals: totals({ connections: 1 }) }), delta(13), delta(14)], now);
    expect(data.position?.seq).toBe(14);
    expect(data.resyncFrom).toBeNull();
  });

  it('a delta from another epoch (the hub restarted) is a gap; its snapshot resynchronises', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(10)], now);
    data = applyFrames(data, [delta(1, { epoch: 'e2' })], now);
    expect(data.resyncFrom).toEqual({ epoch: 'e1', seq: 10 });
    data = applyFrames(data, [snapshot(1, { epoch: 'e2' }), delta(2, { epoch: 'e2' })], now);
    expect(data.position).toEqual({ epoch: 'e2', seq: 2 });
    expect(data.resyncFrom).toBeNull();
  });

  it('ignores deltas before the first snapshot', () => {
    const data = applyFrames(emptyLiveData(), [delta(3)], now);
    expect(data.position).toBeNull();
    expect(data.totals).toBeNull();
  });

  it('records a hub error and counts omitted events', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(1), delta(2, { eventsOmitted: 40 })], now);
    data = applyFrames(data, [{ type: 'error', epoch: 'e1', seq: 2, code: 'NOT_IN_SCOPE', message: 'Not in your scope' }], now);
    expect(data.eventsOmitted).toBe(40);
    expect(data.lastError?.code).toBe('NOT_IN_SCOPE');
    expect(data.position?.seq).toBe(2);
  });

  it('appends one chart point per bucket, the bucket in progress overwritten each tick', () => {
    let data = applyFrames(emptyLiveData(), [snapshot(0)], now);
    for (let s = 1; s <= 95; s++) data = applyFrames(data, [delta(s, { totals: totals({ connections: s }) })], now);
    const bucketMs = data.series.bucketMs;
    const buckets = new Set(Array.from({ length: 96 }, (_, s) => Math.floor(snapshot(s).t / bucketMs))).size;
    expect(data.series.settled).toHaveLength(buckets - 1);
    expect(data.series.current?.connections).toBe(95);
  });

  it('records which restaurants a batch changed, from the map the batch started with', () => {
    const start = applyFrames(emptyLiveData(), [snapshot(1)], now);
    expect(start.restaurantsChanged).toBeNull();
    const one = applyFrames(start, [delta(2, { restaurants: [{ rid: 'r-001', connections: 3 }] })], now);
    expect(one.restaurantsChanged?.from).toBe(start.restaurants);
    expect([...one.restaurantsChanged!.rids]).toEqual(['r-001']);
    const replay = applyFrames(one, [delta(3, { restaurants: [{ rid: 'r-002', connections: 1 }] }), delta(4), delta(5, { removed: ['r-001'] })], now);
    expect(replay.restaurantsChanged?.from).toBe(one.restaurants);
    expect([...replay.restaurantsChanged!.rids].sort()).toEqual(['r-001', 'r-002']);
    expect(applyFrames(replay, [snapshot(6)], now).restaurantsChanged).toBeNull();
  });
});
