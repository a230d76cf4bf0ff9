/**
 * `Histogram.addEncoded` (histogram-codec.ts, addEncodedInto) against the path it replaces,
 * `merge(decodeHistogram(text, width))`: over many seeded random histograms, merged into running
 * totals both ways, every bucket count, the total, min, max, range, percentiles and encoding must
 * be identical — and texts that are not histograms must be refused alike, leaving the total as it was.
 */
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './clock.ts';
import { createHistogram, decodeHistogram, type CountWidth, type Histogram } from './histogram.ts';
import { addEncodedInto } from './histogram-codec.ts';

const inner = (h: Histogram) => (h as unknown as { h: JsHistogram }).h;

/** One random restaurant-minute-like histogram: RTTs, deliveries, or connection durations up to days. */
function randomHistogram(random: () => number, width: CountWidth): Histogram {
  const h = createHistogram(width);
  const kind = random();
  const n = kind < 0.05 ? 0 : Math.floor(random() * (kind < 0.5 ? 40 : 400));
  for (let i = 0; i < n; i++) {
    const x = random();
    if (kind < 0.1) h.record(0); // only zeros: counts without a non-zero minimum
    else if (kind < 0.7) h.record(x < 0.02 ? 2000 + random() * 8000 : 0.05 + random() * 300); // RTT, with outliers
    else if (kind < 0.9) h.record(Math.exp(random() * 23) / 1000); // 1 µs .. ~2.7 h, every bucket magnitude
    else h.record(random() * 30 * 86_400_000); // durations up to 30 days
  }
  return h;
}

function expectSame(got: Histogram, want: Histogram): void {
  const a = inner(got);
  const b = inner(want);
  expect([a.totalCount, a.maxValue, a.minNonZeroValue, a.countsArrayLength, a.highestTrackableValue]).toEqual([b.totalCount, b.maxValue, b.minNonZeroValue, b.countsArrayLength, b.highestTrackableValue]);
  for (let i = 0; i < b.countsArrayLength; i++) if (a.getCountAtIndex(i) !== b.getCountAtIndex(i)) expect([i, a.getCountAtIndex(i)]).toEqual([i, b.getCountAtIndex(i)]);
  for (const p of [0, 1, 25, 50, 90, 95, 99, 99.9, 100]) expect(got.percentile(p)).toBe(want.percentile(p));
  expect([got.count, got.min, got.max, got.mean]).toEqual([want.count, want.min, want.max, want.mean]);
  expect(got.encode()).toBe(want.encode());
}

/** The path addEncoded replaces. */
function oldAdd(total: Histogram, text: string, width: CountWidth): boolean {
  const h = decodeHistogram(text, width);
  if (h) total.merge(h);
  return h !== null;
}

describe('Histogram.addEncoded', () => {
  it.each([64, 32] as const)('merges 3,000 random %i-bit histograms into the same totals as decode + merge', (width) => {
    const random = seededRandom(width === 64 ? 2026 : 31);
    for (let run = 0; run < 6; run++) {
      const viaDecode = createHistogram(width);
      const viaAdd = createHistogram(width);
      if (run % 2 === 1) {
        // A total that already holds recorded (not merged) values: raw max and min, not bucket bounds.
        for (const v of [0.3, 257.3, 12.9]) {
          viaDecode.record(v);
          viaAdd.record(v);
        }
      }
      for (let i = 0; i < 500; i++) {
        const text = randomHistogram(random, width).encode();
        expect(viaAdd.addEncoded(text)).toBe(oldAdd(viaDecode, text, width));
        // The fast path must have handled every encoding core writes (no silent fallback).
        if (i % 50 === 0) expect(addEncodedInto(inner(createHistogram(width)), text)).not.toBe('unhandled');
      }
      expectSame(viaAdd, viaDecode);
    }
  });

  it('into a decoded (not fresh) total, as the store merges a stored minute with a new write', () => {
    const random = seededRandom(77);
    for (let i = 0; i < 300; i++) {
      const older = randomHistogram(random, 64).encode();
      const newer = randomHistogram(random, 64).encode();
      const viaDecode = decodeHistogram(older, 64)!;
      const viaAdd = decodeHistogram(older, 64)!;
      expect(viaAdd.addEncoded(newer)).toBe(oldAdd(viaDecode, newer, 64));
      expectSame(viaAdd, viaDecode);
    }
  });

  it('refuses what decodeHistogram refuses, leaving the total untouched, and reads what it reads', () => {
    const good = createHistogram(64);
    for (const v of [0.2, 3.5, 4000]) good.record(v);
    const text = good.encode();
    const compressed = build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, autoResize: true });
    compressed.recordValue(1500);
    compressed.recordValue(2_500_000);
    const otherPrecision = build({ numberOfSignificantValueDigits: 3 });
    otherPrecision.recordValue(10);
    const bytes = Buffer.from(text, 'base64');
    const patched = (at: number, value: number) => {
      const copy = Buffer.from(bytes);
      copy.writeInt32BE(value, at);
      return copy.toString('base64');
    };
    const cases = [
      text, ` ${text}\n`, text.replace(/=+$/, ''), encodeIntoCompressedBase64(compressed), encodeIntoCompressedBase64(otherPrecision),
      '', 'not base64 at all!', 'AAAAAAAAAAAAAAAA', text.slice(0, 20), text.slice(0, text.length - 4), bytes.subarray(0, bytes.length - 1).toString('base64'),
      patched(4, -1), patched(4, 10_000), patched(12, 3), patched(20, 2), patched(28, 1), patched(24, -1), patched(0, 0x1c849393),
      'HISTEwAAAAMAAAAAAAAAAgAAAAAAAAABAAAAAAAAAf8/8AAAAAAAAKsEAg==', 'HISTEwAAAAEAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAI/8AAAAAAAAAQ=',
    ];
    for (const c of cases) {
      const viaDecode = createHistogram(64);
      const viaAdd = createHistogram(64);
      viaDecode.record(7);
      viaAdd.record(7);
      expect([c, viaAdd.addEncoded(c)]).toEqual([c, oldAdd(viaDecode, c, 64)]);
      expectSame(viaAdd, viaDecode);
    }
  });

  it('keeps 64-bit counts past 2^31, as merging decoded histograms does', () => {
    const chunk = createHistogram(64);
    for (let i = 0; i < 1000; i++) chunk.record(10);
    const viaDecode = createHistogram(64);
    const viaAdd = createHistogram(64);
    for (let i = 0; i < 23; i++) {
      const a = viaAdd.count === 0 ? chunk.encode() : viaAdd.encode();
      const d = viaDecode.count === 0 ? chunk.encode() : viaDecode.encode();
      viaAdd.addEncoded(a);
      oldAdd(viaDecode, d, 64);
    }
    expect(viaAdd.count).toBe(1000 * 2 ** 22);
    expectSame(viaAdd, viaDecode);
  });
});
