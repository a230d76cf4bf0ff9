import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import { downsample, latencySeries } from './latency-series.ts';
import type { SeriesPoint } from './timeline-types.ts';
import { at, e } from './test-helpers/timeline-fixtures.ts';

const wave = (n: number): SeriesPoint[] => Array.from({ length: n }, (_, i) => ({ t: i * 1000, v: 50 + 10 * Math.sin(i / 20) }));

describe('downsample (largest triangle three buckets)', () => {
  it.each([
    { n: 0, max: 500, out: 0 },
    { n: 3, max: 500, out: 3 },
    { n: 500, max: 500, out: 500 },
    { n: 501, max: 500, out: 500 },
    { n: 86_400, max: 500, out: 500 },
  ])('$n points, at most $max → $out', ({ n, max, out }) => {
    const points = wave(n);
    const down = downsample(points, max);
    expect(down).toHaveLength(out);
    if (n > 0) {
      expect(down[0]).toEqual(points[0]);
      expect(down.at(-1)).toEqual(points.at(-1));
    }
    // Still in time order, every point a real one.
    for (let i = 1; i < down.length; i++) expect(down[i]!.t).toBeGreaterThan(down[i - 1]!.t);
  });

  it('keeps a single spike that an average would flatten', () => {
    const points = wave(10_000);
    points[4321] = { t: 4321_000, v: 2000 };
    expect(downsample(points, 500).some((p) => p.v === 2000)).toBe(true);
  });
});

describe('latency series', () => {
  it('figures come from every sample, not from the downsampled points', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const s = latencySeries(
      values.map((v, i) => ({ t: i, v })),
      100,
    );
    expect(s).toMatchObject({ count: 1000, mean: 500.5, p95: 950 });
    expect(s.points).toHaveLength(100);
  });

  it('no samples: no figures', () => {
    expect(latencySeries([], 500)).toEqual({ points: [], count: 0, mean: null, p95: null });
  });

  it('RTT from heartbeats and delivery latency from acks within the window', () => {
    const t = buildTimeline({
      events: [e.open(0, 'c1'), e.beat(-5, 'c1', true, 999), e.beat(15, 'c1', true, 40), e.beat(30, 'c1', true, 60), e.ack(20, 'c1', 80), e.ack(25, 'c1', 120, 2), e.ack(25, 'c1', 120, 2)],
      from: at(0),
      to: at(60),
      now: at(60),
    });
    expect(t.rtt).toMatchObject({ count: 2, mean: 50, p95: 60, points: [{ t: at(15), v: 40 }, { t: at(30), v: 60 }] });
    expect(t.latency).toMatchObject({ count: 2, mean: 100, p95: 120 });
  });
});
