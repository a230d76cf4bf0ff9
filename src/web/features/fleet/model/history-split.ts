/**
 * The fleet's history split by its largest restaurants (issue 18, item 8). The fleet series of the
 * store has no per-restaurant split, so before this, every minute from before the page opened drew
 * as one "other" band: at 1440 px, after an hour on the page, "Connections by restaurant" was one
 * grey area. Each charted restaurant's own series (the same window and buckets) supplies its part;
 * "other" is the rest of the fleet's total.
 */
import type { FleetPoint } from '../../../live/fleet-series.ts';

/** Per charted restaurant: its connections at the end of each bucket, by bucket start. */
export type RestaurantConnections = ReadonlyMap<string, ReadonlyMap<number, number>>;

/**
 * History points (which carry no split: `top` is empty) with the split filled in where every
 * charted restaurant's series has that bucket; a bucket missing from one of them stays unsplit
 * rather than be drawn with a band wrongly at zero.
 */
export function splitHistory(history: readonly FleetPoint[], rids: readonly string[], byRestaurant: RestaurantConnections): readonly FleetPoint[] {
  if (rids.length === 0 || !rids.every((rid) => byRestaurant.has(rid))) return history;
  let changed = false;
  const out = history.map((p) => {
    if (Object.keys(p.top).length > 0) return p;
    const top: Record<string, number> = {};
    let inTop = 0;
    for (const rid of rids) {
      const n = byRestaurant.get(rid)?.get(p.t);
      if (n === undefined) return p;
      top[rid] = n;
      inTop += n;
    }
    changed = true;
    return { ...p, top, other: Math.max(0, p.connections - inTop) };
  });
  return changed ? out : history;
}

/** Whether a point knows its split (live points and split history do; unsplit history does not). */
export function isSplit(p: FleetPoint): boolean {
  return Object.keys(p.top).length > 0;
}
