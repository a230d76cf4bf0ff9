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
  /** rid → its directory name and tags, lower-cased (searchTextOf); a restaurant without an entry is found by its id alone. */
  names?: ReadonlyMap<string, string> | undefined;
}

/** The directory's names and tags as one lower-cased text per restaurant, built once per directory, not per row per tick. */
export function searchTextOf(entries: readonly { rid: string; name: string; tags: readonly string[] }[]): ReadonlyMap<string, string> {
  return new Map(entries.map((e) => [e.rid, [e.name, ...e.tags].join('\n').toLowerCase()]));
}

/**
 * The restaurants that pass the filter, worst first. `previous` is the order shown last: starting
 * from it, the sort has little to do, since one tick moves few restaurants and V8 sorts an almost
 * sorted array in close to linear time (TimSort) — 2,000 restaurants re-sorted every tick add up.
 */
export function visibleRestaurants(
  all: ReadonlyMap<string, RestaurantFiguresWire> | Iterable<RestaurantFiguresWire>,
  filter: RestaurantFilter,
  previous: readonly RestaurantFiguresWire[] = [],
): RestaurantFiguresWire[] {
  const passes = passesFilter(filter);
  const out: RestaurantFiguresWire[] = [];
  const byRid = all instanceof Map ? (all as ReadonlyMap<string, RestaurantFiguresWire>) : null;
  let placed = 0;
  if (byRid) {
    for (const before of previous) {
      const r = byRid.get(before.rid);
      if (!r) continue;
      placed++;
      if (passes(r)) out.push(r);
    }
  }
  // Usually every restaurant was in the last order and this pass is skipped; a filter, or a
  // restaurant that appeared, brings the rest in.
  if (!byRid || placed < byRid.size) {
    const seen = new Set(byRid ? previous.map((r) => r.rid) : []);
    for (const r of byRid ? byRid.values() : (all as Iterable<RestaurantFiguresWire>)) if (!seen.has(r.rid) && passes(r)) out.push(r);
  }
  return out.sort(worstFirst);
}

/**
 * The order shown, brought up to date after a batch changed a few restaurants (`changed`: their
 * rids, patched, added or removed). `previous` must be `visibleRestaurants(from, filter)` for the
 * map the change started from: the restaurants not in `changed` kept their figures and therefore
 * their order among themselves, so the changed ones are sorted alone (~90 a tick) and put in their
 * places, instead of a sort of all of them every tick (`npm run bench:ui`).
 */
export function updatedOrder(
  previous: readonly RestaurantFiguresWire[],
  now: ReadonlyMap<string, RestaurantFiguresWire>,
  changed: ReadonlySet<string>,
  filter: RestaurantFilter,
): RestaurantFiguresWire[] {
  const passes = passesFilter(filter);
  const moved: RestaurantFiguresWire[] = [];
  for (const rid of changed) {
    const r = now.get(rid);
    if (r && passes(r)) moved.push(r);
  }
  moved.sort(worstFirst);
  const kept = previous.filter((r) => !changed.has(r.rid));
  // Each moved restaurant's place among the kept ones by binary search (moved in order, so each
  // search starts where the last one ended): ~k log n comparisons rather than one per row.
  const out: RestaurantFiguresWire[] = [];
  let from = 0;
  for (const r of moved) {
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (worstFirst(kept[mid]!, r) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; from < lo; from++) out.push(kept[from]!);
    out.push(r);
  }
  for (; from < kept.length; from++) out.push(kept[from]!);
  return out;
}

function passesFilter(filter: RestaurantFilter): (r: RestaurantFiguresWire) => boolean {
  const q = filter.q.trim().toLowerCase();
  const names = filter.names;
  return (r) => (!filter.status || r.status === filter.status) && (!q || r.rid.toLowerCase().includes(q) || (names?.get(r.rid)?.includes(q) ?? false));
}

export function countByStatus(all: Iterable<RestaurantFiguresWire>): Record<HealthStatus, number> {
  const counts: Record<HealthStatus, number> = { offline: 0, unhealthy: 0, degraded: 0, unknown: 0, healthy: 0 };
  for (const r of all) counts[r.status]++;
  return counts;
}
