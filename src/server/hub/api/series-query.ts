/**
 * How a series window is read, whatever its length, without stopping the hub (issue 18 item 10:
 * a 30-day fleet series used to load 1.3 M rows at once — 84–103 s, 2 GB, `/healthz` unanswered,
 * four at once a heap out of memory).
 *
 * - Stored minutes before the first bucket that queued or open minutes touch are read in steps
 *   of at most `chunkRows` rows and folded into bucket accumulators (series-accumulator.ts);
 *   between steps the event loop runs. Memory is one step plus ≤ 500 accumulators; each SQLite
 *   read blocks the loop for one step only. The whole fleet is read in keyset pages of the minute
 *   index (`readMinutesPage`: its density is unknown, a gap in the data must not widen a step); a
 *   list of restaurants in time chunks of `chunkRows / restaurants` minutes (one row per
 *   restaurant per minute at most), through the primary key.
 * - The last buckets — those the write queue and the open minutes reach into — are read as before,
 *   store and queue in the same tick, and merged by `bucketize`, which handles a (rid, minute) in
 *   several parts. Rows the queue writes during the scan are all in those buckets, so no row is
 *   counted twice or missed.
 * - A window longer than `heavyWindowMs` is a heavy query: at most `maxHeavy` run at once; beyond,
 *   the call is refused at once with 503 QUERY_BUSY and Retry-After (series-limit.ts).
 */
import type { RestaurantMinute } from '../../../core/rollup.ts';
import type { MinutesPageQuery, MinutesQuery } from '../../store/store.ts';
import { bucketize, chooseBucketMs, mergeBucketsOf, type Bucket } from './series-buckets.ts';
import { SeriesAccumulator } from './series-accumulator.ts';

const MINUTE = 60_000;

export type SeriesSource = {
  readMinutes(q: MinutesQuery): Promise<RestaurantMinute[]>;
  readMinutesPage(q: MinutesPageQuery): Promise<RestaurantMinute[]>;
  /** Queued and open minutes of [from, to) in scope, read in the same tick as the store's read that follows. */
  extras(from: number, to: number): RestaurantMinute[];
};

export type SeriesRead = { bucketMs: number; buckets: Bucket[]; total: Bucket; rids: Set<string> };

export type SeriesReadOptions = {
  rids: readonly string[] | undefined;
  from: number;
  to: number;
  label: string;
  fleet: boolean;
  /** Keeps a row (second line of defence of the scope). */
  inScope: (rid: string) => boolean;
  /** Rows per store read, roughly: each SQLite read holds the event loop for this many. */
  chunkRows?: number;
};

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type MinuteStepsQuery = { rids: readonly string[] | undefined; from: number; to: number; chunkRows?: number };

/**
 * The stored minutes of [from, to) handed to `each` in steps of about `chunkRows` rows (default
 * 2,000), the event loop free between steps (see above: keyset pages for the whole fleet, time
 * chunks for a list). Shared by the series and the stability review (src/server/stability).
 */
export async function readMinuteSteps(source: Pick<SeriesSource, 'readMinutes' | 'readMinutesPage'>, q: MinuteStepsQuery, each: (rows: RestaurantMinute[]) => void): Promise<void> {
  const chunkRows = q.chunkRows ?? 2_000;
  if (q.rids === undefined) {
    let after: MinutesPageQuery['after'];
    for (;;) {
      const rows = await source.readMinutesPage({ from: q.from, to: q.to, limit: chunkRows, ...(after ? { after } : {}) });
      each(rows);
      const last = rows[rows.length - 1];
      if (!last || rows.length < chunkRows) break;
      after = { minute: last.minute, rid: last.rid };
      await yieldToLoop();
    }
  } else if (q.rids.length > 0) {
    const rids = q.rids;
    const chunkMinutes = Math.max(1, Math.floor(chunkRows / rids.length));
    for (let t = q.from; t < q.to; t += chunkMinutes * MINUTE) {
      each(await source.readMinutes({ rids, from: t, to: Math.min(q.to, t + chunkMinutes * MINUTE) }));
      await yieldToLoop();
    }
  }
}

export async function readSeries(source: SeriesSource, o: SeriesReadOptions): Promise<SeriesRead> {
  const bucketMs = chooseBucketMs(o.from, o.to);
  const first = Math.floor(o.from / MINUTE) * MINUTE;
  const extras = source.extras(first, o.to).filter((r) => o.inScope(r.rid));
  const earliest = extras.reduce((m, r) => Math.min(m, r.minute), o.to);
  const cut = Math.max(first, Math.min(o.to, Math.floor(earliest / bucketMs) * bucketMs));
  const scoped = (from: number, to: number): MinutesQuery => (o.rids ? { rids: o.rids, from, to } : { from, to });

  // The recent part first, in the tick the extras were taken in (see above).
  const recentRows = cut < o.to ? [...(await source.readMinutes(scoped(cut, o.to))), ...extras].filter((r) => o.inScope(r.rid)) : [];
  const recent = await bucketize(recentRows, cut, o.to, bucketMs, o.label, o.fleet);

  const acc = new SeriesAccumulator(bucketMs, o.label);
  await readMinuteSteps(source, { rids: o.rids, from: first, to: cut, ...(o.chunkRows ? { chunkRows: o.chunkRows } : {}) }, (rows) => acc.add(rows.filter((r) => o.inScope(r.rid))));
  const buckets = [...acc.result(), ...recent];
  const rids = new Set([...acc.rids, ...recentRows.map((r) => r.rid)]);
  return { bucketMs, buckets, total: mergeBucketsOf(buckets, o.from, o.label), rids };
}
