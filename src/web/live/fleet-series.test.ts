import { describe, expect, it } from 'vitest';
import { addTick, allPoints, appendPoint, emptySeries, largestRestaurants, pointOf } from './fleet-series.ts';
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
    expect(allPoints(s).length).toBeLessThanOrEqual(361);
    expect(s.settled[0]!.t).toBeGreaterThan(7_200_000 - 3_600_000 - 10_000);
  });

  it('restarts the line when time steps back (a new hub with another clock)', () => {
    let s = appendPoint(emptySeries(), pointOf(100_000, totals(), [], 10_000));
    s = appendPoint(s, pointOf(50_000, totals(), [], 10_000));
    expect(allPoints(s).map((p) => p.t)).toEqual([50_000]);
  });

  it('keeps the settled array while a bucket is in progress, so charts redraw once per bucket', () => {
    let s = appendPoint(emptySeries(), pointOf(0, totals(), [], 10_000));
    s = appendPoint(s, pointOf(10_000, totals({ connections: 1 }), [], 10_000));
    const settled = s.settled;
    for (let t = 11_000; t < 20_000; t += 1000) s = appendPoint(s, pointOf(t, totals({ connections: t }), [], 10_000));
    expect(s.settled).toBe(settled);
    expect(s.current?.connections).toBe(19_000);
    s = appendPoint(s, pointOf(20_000, totals(), [], 10_000));
    expect(s.settled).not.toBe(settled);
    expect(s.settled.map((p) => [p.t, p.connections])).toEqual([[0, 8], [10_000, 19_000]]);
  });

  it('ranks the largest restaurants once per bucket, charting their connections every tick', () => {
    const map = (rs: ReturnType<typeof figures>[]) => new Map(rs.map((r) => [r.rid, r]));
    const rs = Array.from({ length: 8 }, (_, i) => figures(`r-${i}`, { expected: 10 + i, connections: 1 }));
    let s = addTick(emptySeries(10_000), 0, totals({ connections: 8 }), map(rs), false);
    expect(s.topRids).toEqual(['r-7', 'r-6', 'r-5', 'r-4', 'r-3', 'r-2']);
    // Within the bucket, r-0 growing largest does not reshuffle the bands; r-7's connections show.
    const grown = [{ ...rs[0]!, expected: 99 }, ...rs.slice(1, 7), { ...rs[7]!, connections: 5 }];
    const ranked = s.topRids;
    s = addTick(s, 5_000, totals({ connections: 12 }), map(grown), false);
    expect(s.topRids).toBe(ranked);
    expect(s.current?.top).toEqual({ 'r-7': 5, 'r-6': 1, 'r-5': 1, 'r-4': 1, 'r-3': 1, 'r-2': 1 });
    expect(s.current?.other).toBe(2);
    // A new bucket, a snapshot, or a ranked restaurant gone: ranked again.
    expect(addTick(s, 10_000, totals(), map(grown), false).topRids[0]).toBe('r-0');
    expect(addTick(s, 6_000, totals(), map(grown), true).topRids[0]).toBe('r-0');
    expect(addTick(s, 6_000, totals(), map(grown.filter((r) => r.rid !== 'r-5')), false).topRids).toEqual(['r-0', 'r-7', 'r-6', 'r-4', 'r-3', 'r-2']);
  });
});
