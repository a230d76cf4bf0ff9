/**
 * The last hour for the charts: history from the REST API where the live series does not reach
 * (before the page opened), then the live points. At most `maxPoints` a line (DESIGN.md: ≤ 500).
 */
import type { FleetPoint } from '../../../live/fleet-series.ts';

export function mergeHistory(history: readonly FleetPoint[], live: readonly FleetPoint[], now: number, windowMs = 3_600_000, maxPoints = 500): FleetPoint[] {
  const from = now - windowMs;
  const firstLive = live[0]?.t ?? Infinity;
  const merged = [...history.filter((p) => p.t >= from && p.t < firstLive), ...live.filter((p) => p.t >= from)];
  return thin(merged, maxPoints);
}

/**
 * `next`, or `previous` when it holds the same points: the window moving by a minute usually drops
 * no point, and a new array would redraw four charts for nothing (each redraw is 10–25 ms of main
 * thread, `npm run bench:ui`).
 */
export function samePointsOr<T>(previous: readonly T[], next: readonly T[]): readonly T[] {
  return previous.length === next.length && previous.every((p, i) => p === next[i]) ? previous : next;
}

/** Keeps every k-th point (and always the newest) when there are too many. */
export function thin<T>(points: readonly T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points.slice();
  const stride = Math.ceil(points.length / maxPoints);
  const out: T[] = [];
  const offset = (points.length - 1) % stride;
  for (let i = offset; i < points.length; i += stride) out.push(points[i]!);
  return out;
}
