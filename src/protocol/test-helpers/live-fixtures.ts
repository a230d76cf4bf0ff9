/**
 * Literal `/live` wire shapes for tests on both sides of the stream (the hub's live server, the
 * SPA's store): whole, valid shapes with small overrides, written once so both sides test against
 * the same contract (src/protocol/live.ts).
 */
import type { DeltaFrame, FleetTotalsWire, LiveEvent, RestaurantFiguresWire, SnapshotFrame } from '../live.ts';

export function figures(rid: string, over: Partial<RestaurantFiguresWire> = {}): RestaurantFiguresWire {
  return {
    rid,
    status: 'healthy',
    connections: 4,
    expected: 4,
    reconnectsPerMin: 0,
    heartbeatSuccess: 1,
    rttMs: { p50: 20, p95: 40, p99: 60 },
    deliveryMs: null,
    errors: {},
    errorsPerMin: 0,
    stability: 1,
    ...over,
  };
}

export function totals(over: Partial<FleetTotalsWire> = {}): FleetTotalsWire {
  return {
    restaurants: 2,
    byStatus: { healthy: 2, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 },
    connections: 8,
    expected: 8,
    reconnectsPerMin: 0,
    heartbeatSuccess: 1,
    rttMs: { p50: 20, p95: 40, p99: 60 },
    deliveryMs: null,
    errors: {},
    errorsPerMin: 0,
    stability: 1,
    ...over,
  };
}

/** A live feed's open (the hub numbers events with `id`). */
export function liveOpenEvent(id: number, tid: string, t: number, rid = 'r-001'): LiveEvent {
  return { type: 'open', id, gw: 'gw-1', t, rid, tid, conn: `c-${tid}-${t}` };
}

export function snapshot(seq: number, over: Partial<SnapshotFrame> = {}): SnapshotFrame {
  return {
    type: 'snapshot',
    epoch: 'e1',
    seq,
    t: 1_700_000_000_000 + seq * 1000,
    tickMs: 1000,
    refreshMs: 30_000,
    historyFrames: 300,
    scope: { role: 'support', restaurants: null },
    restaurants: [figures('r-001'), figures('r-002')],
    totals: totals(),
    events: [],
    ...over,
  };
}

export function delta(seq: number, over: Partial<DeltaFrame> = {}): DeltaFrame {
  return {
    type: 'delta',
    epoch: 'e1',
    seq,
    t: 1_700_000_000_000 + seq * 1000,
    restaurants: [],
    removed: [],
    totals: totals(),
    events: [],
    eventsOmitted: 0,
    refreshMs: 30_000,
    ...over,
  };
}
