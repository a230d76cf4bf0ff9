import { describe, expect, it } from 'vitest';
import { createTickMeter, tickMeasureName } from './tick-meter.ts';

function fakePerf() {
  let now = 1000;
  const measures: Array<{ name: string; options: PerformanceMeasureOptions }> = [];
  return {
    advance: (ms: number) => void (now += ms),
    measures,
    perf: {
      now: () => now,
      measure: (name: string, options: PerformanceMeasureOptions) => void measures.push({ name, options }),
      clearMeasures: () => void measures.splice(0),
    } as unknown as Pick<Performance, 'now' | 'measure' | 'clearMeasures'>,
  };
}

describe('tick meter', () => {
  it('counts the decoding of a tick’s frames into that tick, and only that tick', async () => {
    const f = fakePerf();
    const meter = createTickMeter(f.perf);
    expect(meter.decode(() => (f.advance(2), 'a'))).toBe('a');
    meter.decode(() => f.advance(1));
    meter.tick(() => {
      f.advance(4);
      // React renders in a microtask queued by the store update, before the meter's own.
      queueMicrotask(() => f.advance(6));
    });
    await Promise.resolve();
    meter.tick(() => f.advance(1));
    await Promise.resolve();
    expect(f.measures.map((m) => [m.name, m.options.duration, m.options.detail])).toEqual([
      [tickMeasureName, 13, { decodeMs: 3, storeMs: 4, renderMs: 6 }],
      [tickMeasureName, 1, { decodeMs: 0, storeMs: 1, renderMs: 0 }],
    ]);
  });

  it('still counts a decode that threw', () => {
    const f = fakePerf();
    const meter = createTickMeter(f.perf);
    expect(() =>
      meter.decode(() => {
        f.advance(5);
        throw new Error('bad');
      }),
    ).toThrow('bad');
    meter.tick(() => {});
    return Promise.resolve().then(() => expect(f.measures[0]?.options.duration).toBe(5));
  });
});
