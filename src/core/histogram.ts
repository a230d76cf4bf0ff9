/**
 * Mergeable latency histograms: a thin wrapper over hdr-histogram-js (its pure-JS implementation,
 * never the WASM one, so the same code runs in core on both sides and needs no async init).
 *
 * Values are given in milliseconds and recorded as integer microseconds with 2 significant
 * digits: HDR then keeps every value within 1/128 of its true size (bucket width ≤ 0.78 %), and
 * `percentile` answers with the middle of the bucket, so the error is ≤ 0.4 % at every level —
 * inside the 1 % DESIGN.md demands — while a histogram stays a few KB. Below 50 µs the rounding
 * to whole microseconds dominates; no network latency we watch is that small.
 *
 * Encoding is base64 of the standard HDR V2 layout, left uncompressed (see histogram-codec.ts for
 * why); it is what frames on the bus and rollups in the store carry. Decoding also reads the
 * library's compressed form.
 */
import { build } from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';
import { addEncodedInto, decodeAny, encodeV2 } from './histogram-codec.ts';

/** Count width. 32 bits is plenty for a restaurant-minute; merges over a fleet-month want 64. */
export type CountWidth = 32 | 64;

const SIGNIFICANT_DIGITS = 2;
const MICROS_PER_MS = 1000;

function fresh(width: CountWidth): JsHistogram {
  return build({
    bitBucketSize: width,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    // Grows to cover what is recorded, so an RTT histogram stays small and a duration one can reach days.
    autoResize: true,
    useWebAssembly: false,
  }) as JsHistogram;
}

export class Histogram {
  private readonly h: JsHistogram;
  /** The width `addEncoded` decodes with when it takes the general path, as `decodeHistogram(text, width)` would. */
  private readonly width: CountWidth;

  /** `inner` is for decodeHistogram only: the fast path of `record` assumes the structure built here. */
  constructor(width: CountWidth = 32, inner?: JsHistogram) {
    this.h = inner ?? fresh(width);
    this.width = width;
  }

  /** Record one value in ms. Negative values count as 0; non-finite ones are ignored (a probe bug, not a latency). */
  record(ms: number): void {
    if (!(ms < Infinity)) return; // NaN and +Infinity
    const v = ms > 0 ? Math.round(ms * MICROS_PER_MS) : 0;
    const h = this.h;
    // The library finds the bucket with log2 and pow (~100 ns); for values below 2^31 µs (35 min)
    // the same index comes from clz32 — this is the aggregator's hot path. With 2 significant
    // digits there are 256 sub-buckets, 128 per half: bucket = floor(log2 v) - 7, at least 0.
    if (v < 0x80000000) {
      const bucket = v < 256 ? 0 : 24 - Math.clz32(v);
      const index = (bucket + 1) * 128 + (v >>> bucket) - 128;
      if (index < h.countsArrayLength) {
        h.incrementCountAtIndex(index);
        h.updateMinAndMax(v);
        h.incrementTotalCount();
        return;
      }
    }
    h.recordValue(v);
  }

  /** Add every count of `other` into this one (exact: HDR buckets line up). */
  merge(other: Histogram): this {
    if (other.count > 0) this.h.add(other.h);
    return this;
  }

  /**
   * Add the histogram `encoded` holds: the same result as `merge(decodeHistogram(encoded, width))`,
   * bit for bit, without decoding it into a histogram first (histogram-codec.ts, addEncodedInto) —
   * the merge path of the stability review and the store. False, and nothing added, when the text
   * does not decode.
   */
  addEncoded(encoded: string): boolean {
    const done = addEncodedInto(this.h, encoded);
    if (done !== 'unhandled') return done === 'added';
    const other = decodeHistogram(encoded, this.width);
    if (other) this.merge(other);
    return other !== null;
  }

  /** Remove every count of `other`, which must have been merged into this one before (rolling windows). */
  subtract(other: Histogram): this {
    if (other.count > 0) this.h.subtract(other.h);
    return this;
  }

  /** What JSON gets: a summary, never the bucket array (figures carry live histograms). */
  toJSON(): { count: number; p50: number | null; p95: number | null; p99: number | null } {
    return { count: this.count, p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99) };
  }

  get count(): number {
    return this.h.totalCount;
  }

  /**
   * Value in ms at percentile `p` (0–100, nearest rank); null when empty. Answers with the middle
   * of the HDR bucket, and so do `min` and `max`: recorded extremes are not kept exactly through a
   * merge or an encoding, and a figure must not change because its histogram was merged.
   */
  percentile(p: number): number | null {
    if (this.h.totalCount === 0) return null;
    return this.h.medianEquivalentValue(this.h.getValueAtPercentile(p)) / MICROS_PER_MS;
  }

  /** Smallest value recorded (to bucket precision), in ms; null when empty. */
  get min(): number | null {
    return this.percentile(0);
  }

  /** Largest value recorded (to bucket precision), in ms; null when empty. */
  get max(): number | null {
    return this.percentile(100);
  }

  /** Mean in ms (from bucket midpoints, so within the same 0.4 %); null when empty. */
  get mean(): number | null {
    return this.h.totalCount === 0 ? null : this.h.mean / MICROS_PER_MS;
  }

  /** Forget every count, keeping the allocated buckets (the aggregator reuses its histograms). */
  reset(): void {
    this.h.reset();
  }

  /** Compact base64 of the HDR V2 encoding. */
  encode(): string {
    return encodeV2(this.h);
  }
}

export function createHistogram(width: CountWidth = 32): Histogram {
  return new Histogram(width);
}

export function encodeHistogram(h: Histogram): string {
  return h.encode();
}

/** Decode what `encode` produced. Returns null on anything that is not a valid encoding. */
export function decodeHistogram(encoded: string, width: CountWidth = 32): Histogram | null {
  const inner = decodeAny(encoded, width);
  if (inner === null || inner.numberOfSignificantValueDigits !== SIGNIFICANT_DIGITS || inner.lowestDiscernibleValue !== 1) return null;
  inner.autoResize = true;
  return new Histogram(width, inner);
}

/** Merge encoded histograms into one; undecodable entries are skipped and counted. */
export function mergeEncoded(encoded: Iterable<string>, width: CountWidth = 32): { histogram: Histogram; invalid: number } {
  const histogram = new Histogram(width);
  let invalid = 0;
  for (const e of encoded) if (!histogram.addEncoded(e)) invalid++;
  return { histogram, invalid };
}

/**
 * The exact nearest-rank percentile of raw samples — the definition HDR approximates, so tests and
 * reconciliation compare like with like. Returns null for no samples.
 */
export function exactPercentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  // The epsilon keeps 0.95 × 100 = 95.000…01 from rounding up to rank 96.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
