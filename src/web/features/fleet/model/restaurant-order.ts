/**
 * The restaurant list: worst first, so trouble is at the top without scrolling. Worst means:
 * status (offline, unhealthy, degraded, no data, healthy), then the smallest share of expected terminals
 * connected, then the most errors, then the id for a stable order.
 */
import type { HealthStatus, RestaurantFiguresWire } from '../../../../protocol/live.ts';
import { statusRank } from '../../../lib/health-status.ts';

export function connectedShare(r: RestaurantFiguresWire): number {
  return r.expected > 0 ? r.connections / r.expected : 1;
}

export function worstFirst(a: RestaurantFiguresWire, b: RestaurantFiguresWire): number {
  return (
    statusRank[a.status] - statusRank[b.status] ||
    connectedShare(a) - connectedShare(b) ||
    b.errorsPerMin - a.errorsPerMin ||
    b.reconnectsPerMin - a.reconnectsPerMin ||
    (a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0)
  );
}

export interface RestaurantFilter {
  q: string;
  status: HealthStatus | null;
}

export function visibleRestaurants(all: Iterable<RestaurantFiguresWire>, filter: RestaurantFilter): RestaurantFiguresWire[] {
  const q = filter.q.trim().toLowerCase();
  const out: RestaurantFiguresWire[] = [];
  for (const r of all) {
    if (filter.status && r.status !== filter.status) continue;
    if (q && !r.rid.toLowerCase().includes(q)) continue;
    out.push(r);
  }
  return out.sort(worstFirst);
}

export function countByStatus(all: Iterable<RestaurantFiguresWire>): Record<HealthStatus, number> {
  const counts: Record<HealthStatus, number> = { offline: 0, unhealthy: 0, degraded: 0, unknown: 0, healthy: 0 };
  for (const r of all) counts[r.status]++;
  return counts;
}
