import { describe, expect, it } from 'vitest';
import type { FleetPoint } from '../../../live/fleet-series.ts';
import { isSplit, splitHistory } from './history-split.ts';

const T = 1_700_000_000_000;

function point(t: number, connections: number, top: Record<string, number> = {}, other = 0): FleetPoint {
  return { t, connections, expected: connections, reconnectsPerMin: 0, heartbeatSuccess: 1, p50: 1, p95: 2, p99: 3, errorsPerMin: 0, top, other };
}

describe('the fleet history split by its largest restaurants', () => {
  it('fills each history bucket with the restaurants\u2019 own connections, the rest as "other"', () => {
    const history = [point(T, 20), point(T + 60_000, 18)];
    const byRestaurant = new Map([
      ['r-001', new Map([[T, 6], [T + 60_000, 5]])],
      ['r-002', new Map([[T, 4], [T + 60_000, 4]])],
    ]);
    const split = splitHistory(history, ['r-001', 'r-002'], byRestaurant);
    expect(split.map((p) => [p.top, p.other])).toEqual([
      [{ 'r-001': 6, 'r-002': 4 }, 10],
      [{ 'r-001': 5, 'r-002': 4 }, 9],
    ]);
    expect(split.every(isSplit)).toBe(true);
  });

  it('leaves a bucket unsplit when one restaurant has no value for it, and everything while a series is missing', () => {
    const history = [point(T, 20), point(T + 60_000, 18)];
    const partial = new Map([
      ['r-001', new Map([[T, 6], [T + 60_000, 5]])],
      ['r-002', new Map([[T + 60_000, 4]])],
    ]);
    const split = splitHistory(history, ['r-001', 'r-002'], partial);
    expect(split.map(isSplit)).toEqual([false, true]);
    expect(split[0]).toBe(history[0]);

    const loading = new Map([['r-001', new Map([[T, 6]])]]);
    expect(splitHistory(history, ['r-001', 'r-002'], loading)).toBe(history);
    expect(splitHistory(history, [], partial)).toBe(history);
  });

  it('keeps points that already carry a split (live points) as they are', () => {
    const live = point(T, 20, { 'r-001': 7 }, 13);
    const split = splitHistory([live], ['r-001'], new Map([['r-001', new Map([[T, 1]])]]));
    expect(split[0]).toBe(live);
  });

  it('never draws "other" below zero when a restaurant\u2019s gauge and the fleet\u2019s disagree', () => {
    const [p] = splitHistory([point(T, 3)], ['r-001'], new Map([['r-001', new Map([[T, 5]])]]));
    expect(p!.other).toBe(0);
  });
});
