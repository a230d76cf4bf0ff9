/**
 * The fleet's last hour, built from the live stream one tick at a time. Points are bucketed by the
 * minute: 60 points an hour, well under the 500-a-line budget of DESIGN.md, and the resolution of
 * the REST history they continue (one-minute rollups). The bucket in progress is kept apart
 * (`current`, overwritten each tick) from the settled ones, whose array changes only when a bucket
 * closes: a chart that draws the settled points re-renders once per bucket, not per tick —
 * redrawing four hour-long charts every second would cost far more than the 8 ms a tick allows.
 * Each redraw of a recharts chart costs 10–25 ms of main thread on a slow machine, whatever the
 * point count below a few hundred (`npm run bench:ui`): a minute apart, not 30 s, halves them.
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
  /** Closed buckets, oldest first; a new array only when a bucket closes. */
  readonly settled: readonly FleetPoint[];
  /** The bucket in progress: the latest tick's figures. */
  readonly current: FleetPoint | null;
  /** The largest restaurants as ranked when the bucket in progress started (see addTick). */
  readonly topRids: readonly string[];
}

export const topRestaurantsCharted = 6;

export function emptySeries(bucketMs = 60_000, windowMs = 3_600_000): FleetSeries {
  return { bucketMs, windowMs, settled: [], current: null, topRids: [] };
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
  return pointWith(t, totals, largestRestaurants(restaurants), bucketMs);
}

/**
 * The series after a tick. Ranking every restaurant for the largest costs a pass over all of them
 * (2,000 a tick, `npm run bench:ui`), for a ranking by expected terminals that hardly moves: it is
 * made again when a bucket starts, on a snapshot (`rerank`), or when a ranked restaurant is gone;
 * within a bucket the same restaurants are charted with their current connections.
 */
export function addTick(series: FleetSeries, t: number, totals: FleetTotalsWire, restaurants: ReadonlyMap<string, RestaurantFiguresWire>, rerank: boolean): FleetSeries {
  const bucket = Math.floor(t / series.bucketMs) * series.bucketMs;
  const ranked = series.topRids;
  const stillRanked = !rerank && series.current?.t === bucket && ranked.length === Math.min(topRestaurantsCharted, restaurants.size);
  const kept = stillRanked ? ranked.map((rid) => restaurants.get(rid)) : [];
  const top = stillRanked && kept.every((r) => r !== undefined) ? (kept as RestaurantFiguresWire[]) : largestRestaurants(restaurants.values());
  const topRids = top === kept ? ranked : top.map((r) => r.rid);
  return appendPoint({ ...series, topRids }, pointWith(t, totals, top, series.bucketMs));
}

function pointWith(t: number, totals: FleetTotalsWire, largest: readonly RestaurantFiguresWire[], bucketMs: number): FleetPoint {
  const top: Record<string, number> = {};
  let inTop = 0;
  for (const r of largest) {
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

/** Adds a tick's point: it replaces the bucket in progress, or closes it and starts the next. */
export function appendPoint(series: FleetSeries, point: FleetPoint): FleetSeries {
  const current = series.current;
  if (current && point.t === current.t) return { ...series, current: point };
  // A point older than the bucket in progress (clock stepped back on a new hub) restarts the line.
  if (current && point.t < current.t) return { ...series, settled: [], current: point };
  const from = point.t - series.windowMs;
  const settled = current ? [...series.settled, current] : series.settled.slice();
  let drop = 0;
  while (drop < settled.length && settled[drop]!.t <= from) drop++;
  return { ...series, settled: drop > 0 ? settled.slice(drop) : settled, current: point };
}

/** Every point, settled and in progress, oldest first. */
export function allPoints(series: FleetSeries): FleetPoint[] {
  return series.current ? [...series.settled, series.current] : series.settled.slice();
}
