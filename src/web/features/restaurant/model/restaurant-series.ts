/**
 * One restaurant's series over a window (`GET /api/restaurants/:rid/series?from=&to=`,
 * docs/api.md). The hub picks the bucket so that a series holds ≤ 500 points.
 */
import { asObject, num, percentiles, seriesPoints, timeOf } from '../../../lib/parse.ts';

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

export function parseRestaurantSeries(raw: unknown): RestaurantPoint[] {
  const out: RestaurantPoint[] = [];
  for (const item of seriesPoints(raw)) {
    const o = asObject(item);
    const t = o && timeOf(o);
    if (!o || t === null) continue;
    const rtt = percentiles(o.rttMs);
    out.push({
      t,
      // Per bucket the hub keeps last, min and max of the gauge; the chart draws the last.
      connections: num(asObject(o.connections)?.last),
      reconnectsPerMin: num(o.reconnectsPerMin),
      heartbeatSuccess: num(o.heartbeatSuccess),
      p50: rtt?.p50 ?? null,
      p95: rtt?.p95 ?? null,
      p99: rtt?.p99 ?? null,
    });
  }
  return out.sort((a, b) => a.t - b.t);
}
