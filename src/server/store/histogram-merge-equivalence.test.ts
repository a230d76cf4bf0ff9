/**
 * The store's histogram merge now adds the newer encoding straight into the older histogram
 * (Histogram.addEncoded); the bytes it stores must be exactly those of the decode-both-and-merge
 * it replaced, for random minutes and for either side undecodable.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { createHistogram, decodeHistogram } from '../../core/histogram.ts';
import { mergeEncodedHistograms } from './histogram-merge.ts';

/** The merge as it was before addEncoded. */
function before(a: string, b: string): string {
  const older = decodeHistogram(a, 64);
  const newer = decodeHistogram(b, 64);
  if (!older) return b;
  if (!newer) return a;
  return older.merge(newer).encode();
}

describe('mergeEncodedHistograms', () => {
  it('stores the same bytes as decoding both sides and merging', () => {
    const random = seededRandom(9);
    const minute = () => {
      const h = createHistogram(random() < 0.5 ? 32 : 64);
      const n = Math.floor(random() * 60);
      for (let i = 0; i < n; i++) h.record(random() < 0.1 ? random() * 3 * 86_400_000 : random() * 400);
      return h.encode();
    };
    const bad = ['', 'not a histogram', minute().slice(0, 24)];
    for (let i = 0; i < 1_000; i++) {
      const a = i % 97 === 0 ? bad[i % 3]! : minute();
      const b = i % 89 === 0 ? bad[i % 3]! : minute();
      expect(mergeEncodedHistograms(a, b)).toBe(before(a, b));
    }
  });
});
