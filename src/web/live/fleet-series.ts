/**
 * The fleet's last hour, built from the live stream one tick at a time. Points are bucketed (10 s:
 * 360 points an hour, under the 500-a-line budget of DESIGN.md) and the newest bucket is
 * overwritten each tick, so a chart moves every second without growing past its budget.
 */
import type { FleetTotalsWire, RestaurantFiguresWire } from '../../protocol/live.ts';

export interface FleetPoint {
  /** Bucket start, hub time (ms). */
  readonly t: number;
  readonly connections: number;
  readonly expected: number;
  readonly reconnectsPerMin: number;
  /** 0..1; null when no heartbeat was expected. */
  readonly heartbeatSuccess: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly errorsPerMin: number;
  /** Connections of the largest restaurants (by expected terminals) at that moment. */
  readonly top: Readonly<Record<string, number>>;
  /** Connections of every other restaurant. */
  readonly other: number;
}

export interface FleetSeries {
  readonly bucketMs: number;
  readonly windowMs: number;
  /** Oldest first. */
  readonly points: readonly FleetPoint[];
}

export const topRestaurantsCharted = 6;

export function emptySeries(bucketMs = 10_000, windowMs = 3_600_000): FleetSeries {
  return { bucketMs, windowMs, points: [] };
}

/**
 * The largest restaurants by expected terminals: a ranking that holds still over an hour, so a
 * stacked chart keeps its bands (ranking by live connections would reshuffle them every outage).
 */
export function largestRestaurants(restaurants: Iterable<RestaurantFiguresWire>, n = topRestaurantsCharted): RestaurantFiguresWire[] {
  const top: RestaurantFiguresWire[] = [];
  for (const r of restaurants) {
    if (top.length === n && !bigger(r, top[n - 1]!)) continue;
    let i = Math.min(top.length, n - 1);
    if (top.length < n) top.push(r);
    else top[i] = r;
    for (; i > 0 && bigger(top[i]!, top[i - 1]!); i--) [top[i], top[i - 1]] = [top[i - 1]!, top[i]!];
  }
  return top;
}

function bigger(a: RestaurantFiguresWire, b: RestaurantFiguresWire): boolean {
  return a.expected > b.expected || (a.expected === b.expected && a.rid < b.rid);
}

export function pointOf(t: number, totals: FleetTotalsWire, restaurants: Iterable<RestaurantFiguresWire>, bucketMs: number): FleetPoint {
  const top: Record<string, number> = {};
  let inTop = 0;
  for (const r of largestRestaurants(restaurants)) {
    top[r.rid] = r.connections;
    inTop += r.connections;
  }
  return {
    t: Math.floor(t / bucketMs) * bucketMs,
    connections: totals.connections,
    expected: totals.expected,
    reconnectsPerMin: totals.reconnectsPerMin,
    heartbeatSuccess: totals.heartbeatSuccess,
    p50: totals.rttMs?.p50 ?? null,
    p95: totals.rttMs?.p95 ?? null,
    p99: totals.rttMs?.p99 ?? null,
    errorsPerMin: totals.errorsPerMin,
    top,
    other: Math.max(0, totals.connections - inTop),
  };
}

/** Adds a point: the newest bucket is replaced, older ones past the window fall out. */
export function appendPoint(series: FleetSeries, point: FleetPoint): FleetSeries {
  const points = series.points;
  const last = points[points.length - 1];
  // A point older than the newest bucket (clock stepped back on a new hub) restarts the line.
  if (last && point.t < last.t) return { ...series, points: [point] };
  const kept = last && last.t === point.t ? points.slice(0, -1) : points.slice();
  kept.push(point);
  const from = point.t - series.windowMs;
  let drop = 0;
  while (drop < kept.length && kept[drop]!.t <= from) drop++;
  return { ...series, points: drop > 0 ? kept.slice(drop) : kept };
}
