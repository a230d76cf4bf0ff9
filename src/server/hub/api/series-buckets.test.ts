import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram, exactPercentile } from '../../../core/histogram.ts';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import { bucketCount, bucketize, chooseBucketMs, maxSeriesPoints, minutesOfData } from './series-buckets.ts';

const MIN = 60_000;
const DAY = 1440 * MIN;
const T = 1_700_000_040_000 - (1_700_000_040_000 % DAY); // a UTC midnight

describe('series buckets', () => {
  it('counts minutes of data once per minute, and an hour-tier row as the 60 it stands for', () => {
    const row = (rid: string, minute: number, spanMinutes?: number): RestaurantMinute => ({ rid, minute, counters: {}, gauges: {}, histograms: {}, ...(spanMinutes ? { spanMinutes } : {}) });
    const H = 3_600_000;
    // Two restaurants in the same minute are one minute of data; two hour rows of one hour are its 60.
    expect(minutesOfData([row('r-1', 0), row('r-2', 0), row('r-1', 60_000)])).toBe(2);
    expect(minutesOfData([row('r-1', H, 60), row('r-2', H, 60), row('r-1', 2 * H, 60)])).toBe(120);
    expect(minutesOfData([row('r-1', 0), row('r-1', H, 60)])).toBe(61);
  });

  it('keeps every window within 500 points, with the smallest ladder step that does', () => {
    expect(chooseBucketMs(T, T + 60 * MIN)).toBe(MIN);
    expect(chooseBucketMs(T, T + 500 * MIN)).toBe(MIN);
    expect(chooseBucketMs(T, T + 501 * MIN)).toBe(2 * MIN);
    expect(chooseBucketMs(T, T + DAY)).toBe(5 * MIN);
    expect(chooseBucketMs(T, T + 7 * DAY)).toBe(30 * MIN);
    expect(chooseBucketMs(T, T + 30 * DAY)).toBe(120 * MIN);
    // Unaligned edges touch one more bucket each: still within the limit.
    for (const [from, to] of [[T + 7_777, T + 500 * MIN - 1], [T + 13, T + 30 * DAY + 17], [T, T + 3650 * DAY], [T + 1, T + 2]]) {
      const b = chooseBucketMs(from!, to!);
      expect(bucketCount(from!, to!, b)).toBeLessThanOrEqual(maxSeriesPoints);
    }
  });

  it('merges minutes exactly: counters add, gauges keep last and extremes, percentiles of all samples', async () => {
    const rows: RestaurantMinute[] = [];
    const samples: number[] = [];
    for (let m = 0; m < 30; m++) {
      const h = createHistogram();
      for (let i = 0; i < 20; i++) {
        const v = 5 + ((m * 37 + i * 11) % 200);
        h.record(v);
        samples.push(v);
      }
      rows.push({ rid: 'r1', minute: T + m * MIN, counters: { opens: 1, 'closes.1000': m % 2 }, gauges: { connections: { last: m, min: m - 1, max: m + 5 } }, histograms: { rtt: h.encode() } });
    }
    // Out of order on purpose: `last` must follow the latest minute, not the last row read.
    const buckets = await bucketize([...rows].reverse(), T, T + 30 * MIN, 15 * MIN, 'r1');
    expect(buckets.map((b) => [b.start - T, b.minutes, b.merged.minute - T])).toEqual([[0, 15, 0], [15 * MIN, 15, 15 * MIN]]);
    expect(buckets[0]!.merged.counters).toEqual({ opens: 15, 'closes.1000': 7 });
    expect(buckets[1]!.merged.gauges.connections).toEqual({ last: 29, min: 14, max: 34 });
    const all = await bucketize(rows, T, T + 30 * MIN, 30 * MIN, 'r1');
    const rtt = decodeHistogram(all[0]!.merged.histograms.rtt!, 64)!;
    expect(rtt.count).toBe(samples.length);
    for (const p of [50, 95, 99]) {
      const exact = exactPercentile(samples, p)!;
      expect(Math.abs(rtt.percentile(p)! - exact) / exact).toBeLessThan(0.01);
    }
  });

  it('leaves out rows outside the window and counts undecodable histograms', async () => {
    const rows: RestaurantMinute[] = [
      { rid: 'r1', minute: T - MIN, counters: { opens: 9 }, gauges: {}, histograms: {} },
      { rid: 'r1', minute: T, counters: { opens: 1 }, gauges: {}, histograms: { rtt: 'not-hdr' } },
      { rid: 'r1', minute: T + 5 * MIN, counters: { opens: 9 }, gauges: {}, histograms: {} },
    ];
    const [b, ...rest] = await bucketize(rows, T + 10, T + 5 * MIN, MIN, 'r1');
    expect(rest).toEqual([]);
    expect(b!.merged.counters.opens).toBe(1);
    expect(b!.invalidHistograms).toBe(1);
  });

  it('sums a fleet\'s gauges per minute across restaurants, and adds parts of one restaurant-minute', async () => {
    const rows: RestaurantMinute[] = [
      { rid: 'r1', minute: T, counters: { opens: 1 }, gauges: { connections: { last: 3, min: 2, max: 4 } }, histograms: {} },
      { rid: 'r2', minute: T, counters: { opens: 2 }, gauges: { connections: { last: 5, min: 5, max: 6 } }, histograms: {} },
      { rid: 'r1', minute: T + MIN, counters: { opens: 4 }, gauges: { connections: { last: 1, min: 1, max: 3 } }, histograms: {} },
      // A second part of r1's minute (written before a restart, say): the later part's last wins.
      { rid: 'r1', minute: T + MIN, counters: { opens: 1 }, gauges: { connections: { last: 2, min: 0, max: 2 } }, histograms: {} },
    ];
    const [fleet] = await bucketize(rows, T, T + 2 * MIN, 2 * MIN, 'fleet', true);
    expect(fleet!.merged.counters.opens).toBe(8);
    expect(fleet!.minutes).toBe(2);
    // Minute 0: r1 3 + r2 5 = 8; minute 1: r1 alone, 2 (its parts combined: min 0, max 3).
    expect(fleet!.merged.gauges.connections).toEqual({ last: 2, min: 0, max: 10 });
  });
});
