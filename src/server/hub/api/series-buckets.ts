/**
 * A restaurant's (or a scope's) series over a window: restaurant-minute rollups grouped into
 * buckets sized so that a series never holds more than `maxPoints` points (DESIGN.md: ≤ ~500 points
 * per chart line; downsampling happens here, on the server). Merging is core's (`mergeMinutes`:
 * counters add, gauges combine in time order, histograms merge exactly), and so are the figures.
 *
 * Bucket sizes come from a fixed ladder of round durations, aligned to multiples of themselves
 * (UTC), so the same window always gives the same buckets and two charts line up.
 */
import { combineGauges, mergeMinutes, type Gauge, type RestaurantMinute } from '../../../core/rollup.ts';

const MINUTE = 60_000;
export const bucketLadderMs = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);
export const maxSeriesPoints = 500;

/** Buckets of size `bucketMs` that a window [from, to) touches, once aligned. */
export function bucketCount(from: number, to: number, bucketMs: number): number {
  return Math.ceil(to / bucketMs) - Math.floor(from / bucketMs);
}

/** The smallest bucket of the ladder that keeps [from, to) within `maxPoints` buckets. */
export function chooseBucketMs(from: number, to: number, maxPoints = maxSeriesPoints): number {
  for (const b of bucketLadderMs) if (bucketCount(from, to, b) <= maxPoints) return b;
  // Beyond the ladder (a window of years): a whole number of weeks that still fits.
  const week = bucketLadderMs[bucketLadderMs.length - 1]!;
  let b = week * Math.ceil((to - from) / (maxPoints - 1) / week);
  while (bucketCount(from, to, b) > maxPoints) b += week;
  return b;
}

/** One bucket: its start, how many distinct minutes hold data, and the merged rollup. */
export type Bucket = { start: number; minutes: number; merged: RestaurantMinute; invalidHistograms: number };

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows of [from, to) (minute-aligned from) grouped by bucket start, in time order. */
function group(rows: Iterable<RestaurantMinute>, from: number, to: number, bucketMs: number): [number, RestaurantMinute[]][] {
  const firstMinute = Math.floor(from / MINUTE) * MINUTE;
  const byStart = new Map<number, RestaurantMinute[]>();
  for (const row of rows) {
    if (row.minute < firstMinute || row.minute >= to) continue;
    const start = Math.floor(row.minute / bucketMs) * bucketMs;
    const list = byStart.get(start);
    if (list) list.push(row);
    else byStart.set(start, [row]);
  }
  return [...byStart].sort(([a], [b]) => a - b);
}

/**
 * Merges the rows into buckets. Several rows of one (rid, minute) — parts written before and
 * after a restart, the open minute — add up. With rows of several restaurants (`fleet`), each
 * minute's gauges are summed across restaurants first (Σ last is the fleet's; Σ min and Σ max are
 * bounds), then combined in time order. Yields to the event loop between buckets: decoding
 * histograms costs tens of µs each, and a 30-day series must not hold the live path.
 */
/**
 * Distinct minutes holding data: a minute several rows share (restaurants of the fleet) counts
 * once, and an hour-tier row counts as the minutes it stands for (spanMinutes), so rates per
 * minute of data read the same from either tier.
 */
export function minutesOfData(list: readonly RestaurantMinute[]): number {
  const spans = new Map<number, number>();
  for (const r of list) spans.set(r.minute, Math.max(spans.get(r.minute) ?? 0, r.spanMinutes ?? 1));
  let minutes = 0;
  for (const span of spans.values()) minutes += span;
  return minutes;
}

export async function bucketize(rows: Iterable<RestaurantMinute>, from: number, to: number, bucketMs: number, label: string, fleet = false): Promise<Bucket[]> {
  const out: Bucket[] = [];
  let work = 0;
  for (const [start, list] of group(rows, from, to, bucketMs)) {
    const { merged, invalidHistograms } = mergeMinutes(label, list);
    if (fleet) merged.gauges = fleetGauges(list);
    merged.minute = start;
    out.push({ start, minutes: minutesOfData(list), merged, invalidHistograms });
    work += list.length;
    if (work >= 200) {
      work = 0;
      await yieldToLoop();
    }
  }
  return out;
}

function fleetGauges(rows: readonly RestaurantMinute[]): Record<string, Gauge> {
  // Per restaurant and minute first (a minute may come in parts), then summed per minute.
  const perRidMinute = new Map<string, Record<string, Gauge>>();
  for (const r of [...rows].sort((a, b) => a.minute - b.minute)) {
    const key = `${r.minute} ${r.rid}`;
    const g = perRidMinute.get(key) ?? {};
    for (const k in r.gauges) g[k] = combineGauges(g[k], r.gauges[k]!);
    perRidMinute.set(key, g);
  }
  const perMinute = new Map<number, Record<string, Gauge>>();
  for (const [key, gauges] of perRidMinute) {
    const minute = Number(key.slice(0, key.indexOf(' ')));
    const sum = perMinute.get(minute) ?? {};
    for (const k in gauges) {
      const a = sum[k];
      const b = gauges[k]!;
      sum[k] = a ? { last: a.last + b.last, min: a.min + b.min, max: a.max + b.max } : { ...b };
    }
    perMinute.set(minute, sum);
  }
  const out: Record<string, Gauge> = {};
  for (const [, gauges] of [...perMinute].sort(([a], [b]) => a - b)) for (const k in gauges) out[k] = combineGauges(out[k], gauges[k]!);
  return out;
}

/** The whole window as one bucket (a series' `total`): the buckets' merged rollups, merged again. */
export function mergeBucketsOf(buckets: readonly Bucket[], from: number, label: string): Bucket {
  const { merged, invalidHistograms } = mergeMinutes(label, buckets.map((b) => b.merged));
  merged.minute = from;
  return { start: from, minutes: buckets.reduce((n, b) => n + b.minutes, 0), merged, invalidHistograms };
}
