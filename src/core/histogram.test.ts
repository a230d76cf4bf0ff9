import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './clock.ts';
import { createHistogram, decodeHistogram, exactPercentile, mergeEncoded } from './histogram.ts';

/** Log-normal-ish RTTs from 0.1 ms to ~2 s: every HDR bucket magnitude gets exercised. */
function samples(seed: number, n: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.round(0.1 * Math.exp(random() * 10) * 1000) / 1000);
  return out;
}

const within1pct = (got: number | null, want: number | null) => {
  expect(got).not.toBeNull();
  expect(want).not.toBeNull();
  expect(Math.abs((got as number) - (want as number)) / (want as number)).toBeLessThanOrEqual(0.01);
};

describe('histogram', () => {
  it('answers p50/p95/p99 within 1 % of the exact percentiles of the same samples', () => {
    for (const seed of [1, 2, 3]) {
      const values = samples(seed, 20_000);
      const h = createHistogram();
      for (const v of values) h.record(v);
      expect(h.count).toBe(values.length);
      for (const p of [1, 10, 50, 90, 95, 99, 99.9]) within1pct(h.percentile(p), exactPercentile(values, p));
    }
  });

  it('keeps min, max and p100 to bucket precision, and small values exactly', () => {
    const h = createHistogram();
    for (const v of [3.217, 0.1, 1250.5, 17]) h.record(v);
    expect(h.min).toBe(0.1); // below 256 µs every microsecond has its own bucket
    within1pct(h.max, 1250.5);
    expect(h.percentile(100)).toBe(h.max);
    const one = createHistogram();
    one.record(42.123);
    within1pct(one.percentile(50), 42.123);
    expect(one.percentile(99)).toBe(one.percentile(50));
  });

  it('is empty-safe: null figures, not zeros', () => {
    const h = createHistogram();
    expect([h.count, h.percentile(50), h.min, h.max, h.mean]).toEqual([0, null, null, null, null]);
  });

  it('counts a recorded 0 as the minimum and ignores non-finite values', () => {
    const h = createHistogram();
    h.record(0);
    h.record(-3);
    h.record(5);
    h.record(Number.NaN);
    h.record(Number.POSITIVE_INFINITY);
    expect(h.count).toBe(3);
    expect(h.min).toBe(0);
    expect(h.percentile(50)).toBe(0);
  });

  it('merges 60 restaurant-seconds into exactly what recording all samples in one gives', () => {
    const all = createHistogram();
    const merged = createHistogram();
    const random = seededRandom(7);
    for (let second = 0; second < 60; second++) {
      const h = createHistogram();
      // Some seconds are empty, some carry an outlier far above the rest.
      const n = Math.floor(random() * 40);
      for (let i = 0; i < n; i++) {
        const v = random() < 0.02 ? 5000 + random() * 1000 : 1 + random() * 80;
        h.record(v);
        all.record(v);
      }
      merged.merge(h);
    }
    expect(merged.count).toBe(all.count);
    for (const p of [0, 25, 50, 75, 90, 95, 99, 99.9, 100]) expect(merged.percentile(p)).toBe(all.percentile(p));
    expect(merged.mean).toBe(all.mean);
    expect(decodeHistogram(merged.encode())?.percentile(99)).toBe(all.percentile(99));
  });

  it('round-trips through its encoding, and merges encoded histograms', () => {
    const values = samples(11, 5_000);
    const h = createHistogram();
    for (const v of values) h.record(v);
    const text = h.encode();
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const back = decodeHistogram(text);
    expect(back?.count).toBe(h.count);
    for (const p of [50, 95, 99]) expect(back?.percentile(p)).toBe(h.percentile(p));
    expect(back?.mean).toBe(h.mean);

    const a = createHistogram();
    const b = createHistogram();
    values.forEach((v, i) => (i % 2 ? a : b).record(v));
    const { histogram, invalid } = mergeEncoded([a.encode(), 'not base64 at all!', b.encode()]);
    expect(invalid).toBe(1);
    expect(histogram.count).toBe(h.count);
    for (const p of [0, 50, 95, 99, 100]) expect(histogram.percentile(p)).toBe(h.percentile(p));
  });

  it('keeps its size small: an RTT-range histogram encodes to under 200 characters', () => {
    const h = createHistogram();
    for (let i = 0; i < 100; i++) h.record(20 + (i % 10));
    expect(h.encode().length).toBeLessThan(200);
  });

  it('64-bit counts hold more than 2^31 in one bucket when merging long windows', () => {
    const wide = createHistogram(64);
    const chunk = createHistogram();
    for (let i = 0; i < 1000; i++) chunk.record(10);
    const enc = chunk.encode();
    const one = decodeHistogram(enc, 64);
    expect(one).not.toBeNull();
    // Scale by merging a histogram with itself: 1000 × 2^22 = 4.19e9 > 2^31.
    wide.merge(one!);
    for (let i = 0; i < 22; i++) wide.merge(decodeHistogram(wide.encode(), 64)!);
    expect(wide.count).toBe(1000 * 2 ** 22);
    within1pct(wide.percentile(50), 10);
    expect(wide.percentile(50)).toBe(chunk.percentile(50));
  });

  it('exactPercentile is nearest-rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([exactPercentile(v, 50), exactPercentile(v, 95), exactPercentile(v, 99), exactPercentile(v, 100)]).toEqual([50, 95, 99, 100]);
    expect(exactPercentile([], 50)).toBeNull();
  });

  it('files every value in the bucket the library itself would (the fast path agrees with HDR)', () => {
    const random = seededRandom(5);
    const raw = build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, autoResize: true });
    const ours = createHistogram(64);
    // From 0 to ~3 hours in µs: both sides of the 2^31 µs fast-path limit, every bucket boundary region.
    for (let i = 0; i < 50_000; i++) {
      const micros = Math.floor(Math.exp(random() * 23.1));
      raw.recordValue(micros);
      ours.record(micros / 1000);
    }
    for (const edge of [0, 1, 127, 128, 255, 256, 257, 511, 512, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1]) {
      raw.recordValue(edge);
      ours.record(edge / 1000);
    }
    const library = decodeHistogram(encodeIntoCompressedBase64(raw), 64);
    expect(library).not.toBeNull();
    expect(ours.count).toBe(library!.count);
    for (let p = 0; p <= 100; p += 0.5) expect(ours.percentile(p)).toBe(library!.percentile(p));
  });

  it('reads the library\'s compressed encoding too, and refuses what is not a histogram', () => {
    const raw = build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, autoResize: true });
    raw.recordValue(1500);
    raw.recordValue(2500);
    const h = decodeHistogram(encodeIntoCompressedBase64(raw));
    expect(h?.count).toBe(2);
    within1pct(h!.percentile(100), 2.5);

    const good = createHistogram();
    good.record(3);
    const text = good.encode();
    expect(decodeHistogram(text.slice(0, 20))).toBeNull(); // truncated
    expect(decodeHistogram('')).toBeNull();
    expect(decodeHistogram('AAAAAAAAAAAAAAAA')).toBeNull(); // no cookie
    const otherPrecision = build({ numberOfSignificantValueDigits: 3 });
    otherPrecision.recordValue(10);
    expect(decodeHistogram(encodeIntoCompressedBase64(otherPrecision))).toBeNull();
  });

  // Encodings written by the implementation before the hand-written base64 and header (commit
  // history of histogram-codec.ts): stores and buses hold these, and the bytes must not change.
  const golden: [string, 32 | 64, number[], string][] = [
    ['one RTT', 32, [0.3],
      'HISTEwAAAAMAAAAAAAAAAgAAAAAAAAABAAAAAAAAAf8/8AAAAAAAAKsEAg=='],
    ['two RTTs', 32, [0.25, 2.81],
      'HISTEwAAAAYAAAAAAAAAAgAAAAAAAAABAAAAAAAAD/8/8AAAAAAAAPMDAucGAg=='],
    ['zero and sub-µs', 32, [0, 0.0004],
      'HISTEwAAAAEAAAAAAAAAAgAAAAAAAAABAAAAAAAAAAI/8AAAAAAAAAQ='],
    ['a second of a restaurant', 32, [0.3, 0.31, 0.29, 13.3, 4.27],
      'HISTEwAAAA0AAAAAAAAAAgAAAAAAAAABAAAAAAAAP/8/8AAAAAAAAKEEAgcCBwLRBwKRAwI='],
    ['a connection duration (hours)', 32, [5 * 3_600_000],
      'HISTEwAAAAMAAAAAAAAAAgAAAAAAAAABAAAAB/////8/8AAAAAAAAIs4Ag=='],
    ['run of zeros over 64 buckets', 32, [0.001, 50],
      'HISTEwAAAAUAAAAAAAAAAgAAAAAAAAABAAAAAAAA//8/8AAAAAAAAAACgRMC'],
    ['64-bit, 100 values', 64, Array.from({ length: 100 }, (_, i) => i * 7.3),
      'HISTEwAAAMQAAAAAAAAAAgAAAAAAAAABAAAAAAAP//8/8AAAAAAAAALFDQL9AQKLAQJvAlECNwI1AjcCNQIZAhkCGwIZAhkCGQIbAhkCGQILAgsCCwILAgsCDQILAgsCCwILAgsCCwILAg0CCwILAgsCCwIDAgUCBQIDAgUCAwIFAgMCBQIDAgUCBQIDAgUCAwIFAgMCBQIFAgMCBQIDAgUCAwIFAgMCBQIFAgMCBQIDAgUCAwIFAgUCAwIAAgIAAgACAAIAAgIAAgACAAICAAIAAgACAAICAAIAAgACAgACAAIAAgACAgACAAI='],
  ];
  it.each(golden)('encodes %s byte for byte as before, and decodes to the same figures', (_, width, values, want) => {
    const h = createHistogram(width);
    for (const v of values) h.record(v);
    expect(h.encode()).toBe(want);
    const back = decodeHistogram(want, width);
    for (const p of [0, 50, 99, 100]) expect(back?.percentile(p)).toBe(h.percentile(p));
  });

  it('writes the same base64 as Buffer for long encodings (past its scratch buffers)', () => {
    const h = createHistogram(64);
    for (const v of samples(11, 20_000)) h.record(v);
    h.record(20 * 86_400_000); // 20 days: thousands of buckets, a few KB of text
    const text = h.encode();
    expect(text.length).toBeGreaterThan(2000);
    expect(Buffer.from(text, 'base64').toString('base64')).toBe(text);
    expect(decodeHistogram(text, 64)?.percentile(99)).toBe(h.percentile(99));
  });
});
