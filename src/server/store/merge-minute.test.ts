import { describe, expect, it } from 'vitest';
import { mergeEncodedHistograms } from './histogram-merge.ts';
import { mergeMinute } from './merge-minute.ts';
import { createHistogram, decodeHistogram } from '../../core/histogram.ts';
import { T0, minuteRow } from './test-helpers/fixtures.ts';

describe('mergeMinute', () => {
  it('adds counters, lets the newer gauge last win, widens min/max and merges histograms older-first', () => {
    const older = minuteRow('r-1', T0, { counters: { a: 1, b: 2 }, gauges: { g: { last: 5, min: 3, max: 9 } }, histograms: { h: 'x', k: 'only-old' } });
    const newer = minuteRow('r-1', T0, { counters: { b: 3, c: 4 }, gauges: { g: { last: 1, min: 1, max: 4 }, n: { last: 2, min: 2, max: 2 } }, histograms: { h: 'y' } });
    expect(mergeMinute(older, newer, (a, b) => `${a}+${b}`)).toEqual(
      minuteRow('r-1', T0, {
        counters: { a: 1, b: 5, c: 4 },
        gauges: { g: { last: 1, min: 1, max: 9 }, n: { last: 2, min: 2, max: 2 } },
        histograms: { h: 'x+y', k: 'only-old' },
      }),
    );
    expect(older.counters).toEqual({ a: 1, b: 2 }); // inputs untouched
  });

  it('refuses to merge two histograms without a merge function', () => {
    const row = minuteRow('r-1', T0, { histograms: { h: 'x' } });
    expect(() => mergeMinute(row, row, undefined)).toThrow(expect.objectContaining({ code: 'STORE_NO_HISTOGRAM_MERGE' }));
    expect(mergeMinute(minuteRow('r-1', T0), row, undefined).histograms).toEqual({ h: 'x' });
  });
});

describe('mergeEncodedHistograms', () => {
  it('adds the counts of both, and never lets an undecodable side destroy a good one', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 10; i++) a.record(i);
    for (let i = 1; i <= 5; i++) b.record(100 * i);
    const merged = decodeHistogram(mergeEncodedHistograms(a.encode(), b.encode()));
    expect(merged?.count).toBe(15);
    expect(merged?.max).toBeCloseTo(500, -1);
    expect(mergeEncodedHistograms('not-hdr', a.encode())).toBe(a.encode());
    expect(mergeEncodedHistograms(a.encode(), 'not-hdr')).toBe(a.encode());
  });
});
