/**
 * One restaurant's series over a window (`GET /api/restaurants/:rid/series?from=&to=`,
 * docs/api.md; decoded with `restaurantSeriesAnswerSchema`). The hub picks the bucket so that a
 * series holds ≤ 500 points.
 */
import type { RestaurantSeriesAnswer } from '../../../../protocol/api.ts';

export interface RestaurantPoint {
  t: number;
  connections: number | null;
  reconnectsPerMin: number | null;
  heartbeatSuccess: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export const windows = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type WindowName = keyof typeof windows;

export function isWindowName(v: string | null): v is WindowName {
  return v !== null && v in windows;
}

/** The answer's buckets as chart points, oldest first. */
export function restaurantPointsOf(answer: RestaurantSeriesAnswer): RestaurantPoint[] {
  return answer.points
    .map((p) => ({
      t: p.t,
      // Per bucket the hub keeps last, min and max of the gauge; the chart draws the last.
      connections: p.connections?.last ?? null,
      reconnectsPerMin: p.reconnectsPerMin,
      heartbeatSuccess: p.heartbeatSuccess,
      p50: p.rttMs?.p50 ?? null,
      p95: p.rttMs?.p95 ?? null,
      p99: p.rttMs?.p99 ?? null,
    }))
    .sort((a, b) => a.t - b.t);
}
