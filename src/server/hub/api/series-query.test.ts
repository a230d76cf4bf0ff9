/**
 * The streamed series (series-query.ts) answers exactly what the old path answered — every row at
 * once, then `bucketize` — on both engines: fleet and restaurant series, a manager's subset, rows
 * with a compressed or an undecodable histogram or none, queued and open minutes that repeat a
 * stored (rid, minute), and store reads bounded in rows.
 */
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import type { MinutesPageQuery, MinutesQuery, Store } from '../../store/store.ts';
import { describeEachEngine, type StorePlace } from '../../store/test-helpers/engines.ts';
import { fleetMinute, seedFleet, seedPools } from '../../store/test-helpers/fleet-month.ts';
import { bucketize, chooseBucketMs, mergeBucketsOf } from './series-buckets.ts';
import { pointOf } from './series-points.ts';
import { readSeries } from './series-query.ts';

const MIN = 60_000;
const DAY = 1440 * MIN;
const END = 1_700_006_400_000 - (1_700_006_400_000 % DAY) + 7 * MIN; // not on a bucket edge

/** The pre-issue-18 path: all rows of the window at once (store, then extras), then bucketize. */
async function oldSeries(store: Store, extras: RestaurantMinute[], o: { rids?: string[]; from: number; to: number; label: string; fleet: boolean }) {
  const first = Math.floor(o.from / MIN) * MIN;
  const stored = await store.readMinutes(o.rids ? { rids: o.rids, from: first, to: o.to } : { from: first, to: o.to });
  const inScope = (rid: string) => !o.rids || o.rids.includes(rid);
  const rows = [...stored, ...extras.filter((r) => inScope(r.rid) && r.minute >= first && r.minute < o.to)];
  const bucketMs = chooseBucketMs(o.from, o.to);
  const buckets = await bucketize(rows, o.from, o.to, bucketMs, o.label, o.fleet);
  const total = mergeBucketsOf(buckets, o.from, o.label);
  return { bucketMs, points: buckets.map(pointOf), total: pointOf(total), invalid: buckets.reduce((n, b) => n + b.invalidHistograms, 0), restaurants: new Set(rows.map((r) => r.rid)).size };
}

async function newSeries(store: Store, extras: RestaurantMinute[], o: { rids?: string[]; from: number; to: number; label: string; fleet: boolean }, reads: number[] = []) {
  const inScope = (rid: string) => !o.rids || o.rids.includes(rid);
  const source = {
    readMinutes: async (q: MinutesQuery) => {
      const rows = await store.readMinutes(q);
      reads.push(rows.length);
      return rows;
    },
    readMinutesPage: async (q: MinutesPageQuery) => {
      const rows = await store.readMinutesPage(q);
      reads.push(rows.length);
      return rows;
    },
    extras: (from: number, to: number) => extras.filter((r) => r.minute >= from && r.minute < to),
  };
  const s = await readSeries(source, { rids: o.rids, from: o.from, to: o.to, label: o.label, fleet: o.fleet, inScope, chunkRows: 500 });
  return { bucketMs: s.bucketMs, points: s.buckets.map(pointOf), total: pointOf(s.total), invalid: s.buckets.reduce((n, b) => n + b.invalidHistograms, 0), restaurants: s.rids.size };
}

function compressed(values: number[]): string {
  const raw = build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, autoResize: true });
  for (const v of values) raw.recordValue(v);
  return encodeIntoCompressedBase64(raw);
}

describeEachEngine('streamed series equal the all-rows path', (engine) => {
  let place: StorePlace;
  let store: Store;
  let extras: RestaurantMinute[];
  beforeEach(async () => {
    place = await engine.newPlace();
    ({ store } = await place.open());
    // 6 restaurants × 2 days, then odd rows: a compressed histogram, one that does not decode, none.
    await seedFleet(store, { restaurants: 6, days: 2, end: END, batchMinutes: 720 });
    const odd = fleetMinute(END - 2 * DAY + 13 * MIN, 6, () => 0.01, seedPools());
    await store.writeMinutes([
      { ...odd[0]!, minute: END - 2 * DAY - 5 * MIN, histograms: { rtt: compressed([1500, 90_000, 90_000]) } },
      { ...odd[1]!, minute: END - 2 * DAY - 5 * MIN, histograms: { rtt: 'not-a-histogram', latency: 'HISTFAAAA' } },
      { ...odd[2]!, minute: END - 2 * DAY - 5 * MIN, histograms: {} },
    ]);
    // The queue and the open minute repeat stored minutes of r-001 and r-002 and add one of r-003.
    const again = fleetMinute(END - 20 * MIN, 3, () => 0.01, seedPools());
    extras = [{ ...again[0]!, minute: END - 20 * MIN }, { ...again[1]!, minute: END - 2 * MIN }, { ...again[2]!, minute: END - MIN }, { ...again[0]!, minute: END - MIN }];
  });
  afterEach(async () => {
    await store.close();
    await place.remove();
  });

  it('a fleet series over the whole seed, and a manager\'s two restaurants', async () => {
    const fleet = { from: END - 2 * DAY - 10 * MIN + 17, to: END, label: 'fleet', fleet: true };
    const reads: number[] = [];
    const streamed = await newSeries(store, extras, fleet, reads);
    const all = await oldSeries(store, extras, fleet);
    expect(streamed.points.length).toBeGreaterThan(200);
    expect(streamed.invalid).toBe(2); // "not-a-histogram" and "HISTFAAAA"; the compressed one decodes
    expect(streamed.restaurants).toBe(6);
    expect(streamed).toEqual(all);
    // Bounded reads: pages of at most 500 rows, gap in the data or not.
    expect(reads.length).toBeGreaterThan(30);
    expect(Math.max(...reads)).toBeLessThanOrEqual(500);

    const manager = { ...fleet, rids: ['r-002', 'r-005'] };
    const subset = await newSeries(store, extras, manager);
    expect(subset.restaurants).toBe(2);
    expect(subset).toEqual(await oldSeries(store, extras, manager));
  });

  it('a restaurant series, with and without minutes the queue still holds', async () => {
    const one = { rids: ['r-001'], from: END - 2 * DAY, to: END, label: 'r-001', fleet: false };
    expect(await newSeries(store, extras, one)).toEqual(await oldSeries(store, extras, one));
    expect(await newSeries(store, [], one)).toEqual(await oldSeries(store, [], one));
    const hour = { ...one, from: END - 60 * MIN };
    expect(await newSeries(store, extras, hour)).toEqual(await oldSeries(store, extras, hour));
  });
});
