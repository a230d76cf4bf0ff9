import { describe, expect, it } from 'vitest';
import { createHistogram, decodeHistogram } from './histogram.ts';
import { counterKey, family, mergeMinutes } from './rollup.ts';
import type { RestaurantMinute } from './rollup.ts';
import { M0 } from './test-helpers/telemetry-events.ts';

const minute = (offset: number, values: number[], counters: Record<string, number>, connections: [number, number, number]): RestaurantMinute => {
  const h = createHistogram();
  for (const v of values) h.record(v);
  const [last, min, max] = connections;
  return { rid: 'r1', minute: M0 + offset * 60_000, counters, gauges: { connections: { last, min, max } }, histograms: values.length ? { rtt: h.encode() } : {} };
};

describe('rollup', () => {
  it('merges minutes: counters add, gauges combine in time order, histograms exactly', () => {
    const a = minute(0, [10, 20], { opens: 2, [counterKey.closes(1000)]: 1 }, [3, 1, 3]);
    const b = minute(1, [], { opens: 1 }, [2, 2, 4]);
    const c = minute(2, [30, 40, 50], { [counterKey.closes(1000)]: 2, [counterKey.closes(4008)]: 1 }, [5, 0, 5]);
    // Given out of order: the result must not depend on it.
    const { merged, invalidHistograms } = mergeMinutes('r1', [c, a, b]);
    expect(invalidHistograms).toBe(0);
    expect(merged.minute).toBe(M0);
    expect(merged.counters).toEqual({ opens: 3, 'closes.1000': 3, 'closes.4008': 1 });
    expect(merged.gauges.connections).toEqual({ last: 5, min: 0, max: 5 });
    const all = createHistogram();
    for (const v of [10, 20, 30, 40, 50]) all.record(v);
    const h = decodeHistogram(merged.histograms.rtt!);
    expect(h?.count).toBe(5);
    for (const p of [0, 50, 90, 100]) expect(h?.percentile(p)).toBe(all.percentile(p));
    expect(family(merged.counters, 'closes')).toEqual({ 1000: 3, 4008: 1 });
  });

  it('skips and counts a histogram that does not decode', () => {
    const bad: RestaurantMinute = { rid: 'r1', minute: M0, counters: {}, gauges: {}, histograms: { rtt: 'garbage' } };
    expect(mergeMinutes('r1', [bad]).invalidHistograms).toBe(1);
  });
});
