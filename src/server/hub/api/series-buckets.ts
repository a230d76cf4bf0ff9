/**
 * A restaurant's series over a window: restaurant-minute rollups merged into buckets sized so that
 * a series never holds more than `maxPoints` points (DESIGN.md: ≤ ~500 points per chart line;
 * downsampling happens here, on the server).
 *
 * Bucket sizes come from a fixed ladder of round durations, aligned to multiples of themselves
 * (UTC), so the same window always gives the same buckets and two charts line up.
 *
 * Merging is exact: counters add, gauges keep the last value and the extremes, histograms merge
 * bucket by bucket (HDR), so a day's p99 is the p99 of every sample of that day.
 */
import { decodeHistogram, Histogram } from '../../../core/histogram.ts';
import type { Gauge, RestaurantMinute } from '../../../core/rollup.ts';

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

/** One bucket being merged. Minutes may arrive in any order; gauges' `last` follows the latest minute. */
export class MinuteBucket {
  readonly start: number;
  minutes = 0;
  private lastMinute = -Infinity;
  readonly counters: Record<string, number> = {};
  readonly gauges: Record<string, Gauge> = {};
  readonly histograms: Record<string, Histogram> = {};
  /** Encodings that did not decode: a producer bug, reported rather than hidden. */
  invalidHistograms = 0;

  constructor(start: number) {
    this.start = start;
  }

  /** Returns how many histograms it decoded (the costly part: callers yield to the event loop by it). */
  add(row: RestaurantMinute): number {
    this.minutes++;
    const latest = row.minute >= this.lastMinute;
    if (latest) this.lastMinute = row.minute;
    for (const [k, v] of Object.entries(row.counters)) this.counters[k] = (this.counters[k] ?? 0) + v;
    for (const [k, g] of Object.entries(row.gauges)) {
      const o = this.gauges[k];
      this.gauges[k] = o ? { last: latest ? g.last : o.last, min: Math.min(o.min, g.min), max: Math.max(o.max, g.max) } : { ...g };
    }
    let decoded = 0;
    for (const [k, text] of Object.entries(row.histograms)) {
      decoded++;
      const h = decodeHistogram(text, 64);
      if (!h) {
        this.invalidHistograms++;
        continue;
      }
      const acc = this.histograms[k];
      if (acc) acc.merge(h);
      else this.histograms[k] = h;
    }
    return decoded;
  }
}

/**
 * Groups rows into aligned buckets; rows outside [from, to) are ignored. Yields to the event loop
 * every `yieldEvery` histogram decodes (~50 µs each), so a 30-day series never holds the live path.
 */
export async function bucketize(
  rows: Iterable<RestaurantMinute>,
  from: number,
  to: number,
  bucketMs: number,
  yieldEvery = 500,
): Promise<MinuteBucket[]> {
  const buckets = new Map<number, MinuteBucket>();
  let work = 0;
  for (const row of rows) {
    if (row.minute < from - (from % MINUTE) || row.minute >= to) continue;
    const start = Math.floor(row.minute / bucketMs) * bucketMs;
    let b = buckets.get(start);
    if (!b) buckets.set(start, (b = new MinuteBucket(start)));
    work += b.add(row) + 1;
    if (work >= yieldEvery) {
      work = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return [...buckets.values()].sort((a, b) => a.start - b.start);
}

/**
 * Several restaurants' buckets of the same start, as one: counters add and histograms merge
 * exactly; gauges add up per restaurant (Σ last is the fleet's last; Σ min and Σ max are bounds,
 * since restaurants do not reach their extremes in the same instant).
 */
export function sumBuckets(start: number, parts: readonly MinuteBucket[]): MinuteBucket {
  const out = new MinuteBucket(start);
  for (const p of parts) {
    out.minutes = Math.max(out.minutes, p.minutes);
    out.invalidHistograms += p.invalidHistograms;
    for (const [k, v] of Object.entries(p.counters)) out.counters[k] = (out.counters[k] ?? 0) + v;
    for (const [k, g] of Object.entries(p.gauges)) {
      const o = out.gauges[k];
      out.gauges[k] = o ? { last: o.last + g.last, min: o.min + g.min, max: o.max + g.max } : { ...g };
    }
    for (const [k, h] of Object.entries(p.histograms)) {
      const acc = out.histograms[k];
      if (acc) acc.merge(h);
      else out.histograms[k] = new Histogram(64).merge(h);
    }
  }
  return out;
}

/** One restaurant's buckets merged over the whole window (the window's summary). */
export function mergeBuckets(start: number, buckets: readonly MinuteBucket[]): MinuteBucket {
  const out = new MinuteBucket(start);
  for (const b of buckets) {
    out.minutes += b.minutes;
    out.invalidHistograms += b.invalidHistograms;
    for (const [k, v] of Object.entries(b.counters)) out.counters[k] = (out.counters[k] ?? 0) + v;
    // Buckets come in time order, so the last one's `last` is the window's.
    for (const [k, g] of Object.entries(b.gauges)) {
      const o = out.gauges[k];
      out.gauges[k] = o ? { last: g.last, min: Math.min(o.min, g.min), max: Math.max(o.max, g.max) } : { ...g };
    }
    for (const [k, h] of Object.entries(b.histograms)) {
      const acc = out.histograms[k];
      if (acc) acc.merge(h);
      else out.histograms[k] = new Histogram(64).merge(h);
    }
  }
  return out;
}
