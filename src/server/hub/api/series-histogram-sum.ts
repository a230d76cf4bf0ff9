/**
 * The sum of many encoded histograms, for series over long windows: a 30-day fleet series merges
 * millions of them, and decoding each into an HDR object to `merge` it costs ~14 µs (allocation of
 * a counts array, then a walk of it) — a minute of CPU for one chart. Here the counts of an
 * uncompressed V2 encoding (src/core/histogram-codec.ts) are added by index straight into one
 * array, ~1 µs each. Anything else (the compressed form, other precision, text that is not clean
 * base64) goes through core's `decodeHistogram`, so what is valid and what counts as invalid is
 * exactly core's. The result is the same histogram `mergeMinutes` builds: HDR buckets of one
 * precision line up index for index, which is why merges are exact in the first place.
 */
import { build } from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram, Histogram } from '../../../core/histogram.ts';

const V2_COOKIE = 0x1c849303 | 0x10;
const HEADER_BYTES = 40;
// Core's histograms: 2 significant digits, lowest discernible value 1 (µs).
const DIGITS = 2;
const cleanBase64 = /^[A-Za-z0-9+/]*={0,2}$/;

// (index, count) pairs of the histogram being read, committed only once it decoded whole.
let pending: Float64Array = new Float64Array(512);

export class HistogramSum {
  private counts: Float64Array = new Float64Array(0);
  private slow: Histogram | undefined;
  private any = false;

  /** Adds one encoded histogram; false (and nothing added) when it does not decode. */
  add(encoded: string): boolean {
    const fast = this.addV2(encoded);
    if (fast !== undefined) return fast;
    const h = decodeHistogram(encoded, 64);
    if (!h) return false;
    if (this.slow) this.slow.merge(h);
    else this.slow = h;
    this.any = true;
    return true;
  }

  /** True/false when the fast path decided; undefined hands the text to core's decoder. */
  private addV2(text: string): boolean | undefined {
    if (text.length % 4 !== 0 || !cleanBase64.test(text)) return undefined;
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length < HEADER_BYTES || bytes.readInt32BE(0) !== V2_COOKIE) return undefined;
    const payload = bytes.readInt32BE(4);
    const end = HEADER_BYTES + payload;
    if (bytes.readInt32BE(12) !== DIGITS || bytes.readBigInt64BE(16) !== 1n) return undefined;
    if (payload < 0 || end > bytes.length || Number(bytes.readBigInt64BE(24)) < 2) return false;
    let at = HEADER_BYTES;
    let index = 0;
    let n = 0;
    while (at < end) {
      let v = 0;
      let scale = 1;
      let byte: number;
      do {
        if (at >= end) return false;
        byte = bytes[at++] as number;
        v += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80);
      const count = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
      if (count < 0) index -= count;
      else {
        if (count > 0) {
          if (pending.length < n + 2) pending = grow(pending, n + 2);
          pending[n++] = index;
          pending[n++] = count;
        }
        index++;
      }
    }
    for (let i = 0; i < n; i += 2) {
      const at = pending[i] as number;
      if (this.counts.length <= at) this.counts = grow(this.counts, at + 1);
      this.counts[at] = (this.counts[at] as number) + (pending[i + 1] as number);
    }
    this.any = true;
    return true;
  }

  /** The sum as core encodes histograms; undefined when nothing was counted. */
  encode(): string | undefined {
    if (!this.any) return undefined;
    const inner = build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: DIGITS, autoResize: true, useWebAssembly: false }) as JsHistogram;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i] as number;
      if (c > 0) inner.recordValueWithCount(inner.valueFromIndex(i), c);
    }
    const sum = new Histogram(64, inner);
    if (this.slow) sum.merge(this.slow);
    return sum.count > 0 ? sum.encode() : undefined;
  }
}

function grow(a: Float64Array, size: number): Float64Array {
  const next = new Float64Array(Math.max(size, a.length * 2));
  next.set(a);
  return next;
}
