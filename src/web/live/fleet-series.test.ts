import { describe, expect, it } from 'vitest';
import { appendPoint, emptySeries, largestRestaurants, pointOf } from './fleet-series.ts';
import { figures, totals } from './test-helpers/live-fixtures.ts';

describe('fleet series', () => {
  it('charts the largest restaurants by expected terminals and sums the rest as other', () => {
    const rs = Array.from({ length: 20 }, (_, i) => figures(`r-${String(i).padStart(3, '0')}`, { expected: i % 7, connections: 1 }));
    const top = largestRestaurants(rs, 3);
    expect(top.map((r) => [r.rid, r.expected])).toEqual([['r-006', 6], ['r-013', 6], ['r-005', 5]]);
    const p = pointOf(12_345, totals({ connections: 20 }), rs, 10_000);
    expect(p.t).toBe(10_000);
    expect(Object.keys(p.top)).toHaveLength(6);
    expect(p.other).toBe(14);
  });

  it('keeps at most one hour and never more than 360 points at 10 s buckets', () => {
    let s = emptySeries(10_000, 3_600_000);
    for (let t = 0; t < 7_200_000; t += 1000) s = appendPoint(s, pointOf(t, totals(), [], 10_000));
    expect(s.points.length).toBeLessThanOrEqual(360);
    expect(s.points[0]!.t).toBeGreaterThan(7_200_000 - 3_600_000 - 10_000);
  });

  it('restarts the line when time steps back (a new hub with another clock)', () => {
    let s = appendPoint(emptySeries(), pointOf(100_000, totals(), [], 10_000));
    s = appendPoint(s, pointOf(50_000, totals(), [], 10_000));
    expect(s.points.map((p) => p.t)).toEqual([50_000]);
  });
});
