/**
 * The drawings of a flapping day (bar-shapes.ts merged, shape-paths.ts as paths): bounded however
 * many events, nothing lost in the merging; one rectangle per shape in the path, and the shape
 * under a point found as the drawing shows it.
 */
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../../core/timeline/build-timeline.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { attemptTicks, barShapes, stripShapes } from './bar-shapes.ts';
import { drawingWidth, groupBy, rectsPath, shapeAt } from './shape-paths.ts';
import { stripRuns } from './timeline-words.ts';

const T0 = Date.UTC(2026, 10, 26, 0, 0, 0);
const DAY = 86_400_000;
const who = { gw: 'gw-1', rid: 'r-1', tid: 't-1' };

/** A flapping day: `pairs` connections, each up about half its share of the day, closing 1006 or 4008. */
function flappingDay(pairs: number): LifecycleEvent[] {
  const step = DAY / pairs;
  const events: LifecycleEvent[] = [];
  for (let i = 0; i < pairs; i++) {
    const t = Math.round(T0 + i * step);
    const up = Math.round(step * 0.6);
    const code = i % 3 === 0 ? 4008 : 1006;
    events.push({ type: 'open', ...who, t, conn: `c${i}`, via: 'subprotocol' });
    events.push({ type: 'close', ...who, t: t + up, conn: `c${i}`, code, cause: code === 4008 ? 'heartbeat_timeout' : 'abnormal_close', reason: '', byServer: code === 4008, durationMs: up });
  }
  return events;
}

describe('a flapping day drawn', () => {
  const timeline = buildTimeline({ events: flappingDay(2500), from: T0, to: T0 + DAY, now: T0 + DAY, heartbeatsFrom: Infinity });
  const bar = barShapes(timeline.segments, T0, T0 + DAY, drawingWidth);
  const ticks = attemptTicks(timeline.attempts, T0, T0 + DAY, drawingWidth);
  const strip = stripShapes(stripRuns(timeline.heartbeats.cells), T0, T0 + DAY, drawingWidth);

  it('stays about one shape per unit however many segments the day has, in a path per colour', () => {
    expect(timeline.events).toHaveLength(5000);
    expect(timeline.segments.length).toBeGreaterThan(4000);
    expect(bar.length).toBeLessThanOrEqual(drawingWidth);
    expect(ticks.length).toBeLessThanOrEqual(drawingWidth);
    expect(strip.length).toBeLessThanOrEqual(drawingWidth);
    const paths = groupBy(bar, (s) => s.state, ['connected', 'unknown', 'disconnected'] as const);
    expect(paths.length).toBeLessThanOrEqual(3);
    expect(paths.reduce((n, [, list]) => n + (rectsPath(list, 12, 28).match(/M/g)?.length ?? 0), 0)).toBe(bar.length);
  });

  it("loses no disconnect in the merging: every one is in some shape's title", () => {
    const told = bar.reduce((n, s) => n + Number(s.title.match(/: (\d+) disconnects?/)?.[1] ?? (s.state === 'disconnected' ? 1 : 0)), 0);
    expect(told).toBe(timeline.segments.filter((s) => s.state === 'disconnected').length);
  });
});

describe('shape paths', () => {
  const shapes = [
    { x: 0, width: 10, k: 'a' as const, title: 'first' },
    { x: 10, width: 0.2, k: 'b' as const, title: 'sliver' },
    { x: 20, width: 5, k: 'a' as const, title: 'third' },
  ];

  it('one rectangle per shape, a sliver drawn half a unit wide', () => {
    expect(rectsPath(shapes, 12, 28)).toBe('M0 12h10v28h-10zM10 12h0.5v28h-0.5zM20 12h5v28h-5z');
    expect(rectsPath([{ x: 1, width: 2 }], 0, 16, 0.3)).toBe('M1 0h1.7v16h-1.7z');
  });

  it('groups by key in the order given, leaving out empty groups', () => {
    expect(groupBy(shapes, (s) => s.k, ['b', 'a', 'c'] as const).map(([k, list]) => [k, list.map((s) => s.title)])).toEqual([
      ['b', ['sliver']],
      ['a', ['first', 'third']],
    ]);
  });

  it('finds the shape under a point, the sliver by its drawn width, a near one within the slack', () => {
    expect(shapeAt(shapes, 5)?.title).toBe('first');
    expect(shapeAt(shapes, 10.4)?.title).toBe('sliver');
    expect(shapeAt(shapes, 24.9)?.title).toBe('third');
    expect(shapeAt(shapes, 15)).toBeNull();
    expect(shapeAt(shapes, 19.5, 1)?.title).toBe('third');
    expect(shapeAt(shapes, 26, 1)?.title).toBe('third');
    expect(shapeAt([], 3, 1)).toBeNull();
  });
});
