/**
 * The replay's answers (src/protocol/replay.ts) in the shape the live store holds
 * (src/protocol/live.ts), so the fleet views read a replayed instant exactly as they read a live
 * tick. Status, connections and expected terminals are exact at the instant; the rolling figures
 * (rates, shares, percentiles) are the stored minute holding it — the resolution the store keeps;
 * errors per minute are the 60 s before the instant, from the events, as live.
 *
 * Fleet totals: counts and sums are exact; shares and percentiles are left empty ("—") because the
 * answers carry no histograms nor beat counts to merge them by, and an average of restaurants'
 * percentiles would be a figure nobody measured.
 */
import type { DeltaFrame, FleetTotalsWire, HealthStatus, RestaurantFiguresWire } from '../../../../protocol/live.ts';
import type { ReplayChangeFrame, ReplayRestaurantWire } from '../../../../protocol/replay.ts';

export function figuresOfReplay(r: ReplayRestaurantWire): RestaurantFiguresWire {
  const m = r.minute;
  return {
    rid: r.rid,
    status: r.status,
    connections: r.connections,
    expected: r.expected,
    reconnectsPerMin: m?.reconnects ?? 0,
    heartbeatSuccess: m?.heartbeatSuccess ?? null,
    rttMs: m?.rttMs ?? null,
    deliveryMs: m?.deliveryMs ?? null,
    errors: m?.errors ?? {},
    errorsPerMin: r.errorsLastMinute,
    stability: m?.stability ?? null,
  };
}

export function replayTotals(restaurants: Iterable<RestaurantFiguresWire>): FleetTotalsWire {
  const byStatus: Record<HealthStatus, number> = { healthy: 0, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 };
  const errors: Record<string, number> = {};
  let n = 0;
  let connections = 0;
  let expected = 0;
  let reconnectsPerMin = 0;
  let errorsPerMin = 0;
  for (const r of restaurants) {
    n++;
    byStatus[r.status]++;
    connections += r.connections;
    expected += r.expected;
    reconnectsPerMin += r.reconnectsPerMin;
    errorsPerMin += r.errorsPerMin;
    for (const [type, count] of Object.entries(r.errors)) errors[type] = (errors[type] ?? 0) + (count ?? 0);
  }
  return { restaurants: n, byStatus, connections, expected, reconnectsPerMin, heartbeatSuccess: null, rttMs: null, deliveryMs: null, errors, errorsPerMin, stability: null };
}

export const replayEpoch = 'replay';

/**
 * One change frame as the live contract's delta, numbered after `seq`: the restaurants come whole
 * (a patch may be whole), the totals over the fleet after it — `fleet` is updated in place.
 */
export function deltaOfChanges(fleet: Map<string, RestaurantFiguresWire>, frame: ReplayChangeFrame, seq: number): DeltaFrame {
  for (const rid of frame.removed) fleet.delete(rid);
  const restaurants = frame.restaurants.map(figuresOfReplay);
  for (const r of restaurants) fleet.set(r.rid, r);
  return { type: 'delta', epoch: replayEpoch, seq, t: frame.t, restaurants, removed: frame.removed, totals: replayTotals(fleet.values()), events: [], eventsOmitted: 0, refreshMs: 0 };
}
