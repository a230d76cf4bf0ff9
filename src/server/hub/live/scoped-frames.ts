/**
 * Frames cut for one scope. Every hub → viewer frame that carries fleet data is built here, from
 * unfiltered tick data and a `Scope`, so the tenancy rule has one implementation to test.
 */
import type {
  DeltaFrame,
  FleetTotalsWire,
  LiveEvent,
  RestaurantFiguresWire,
  SnapshotFrame,
  TerminalEventsFrame,
} from '../../../protocol/live.ts';
import type { TickEntry } from './stream-history.ts';
import type { Scope } from './viewer-scope.ts';

export function eventInScope(scope: Scope, event: LiveEvent): boolean {
  return scope.includes(event.rid);
}

/** Null when the entry holds no totals for this scope: the caller must resync with a snapshot. */
export function deltaFor(epoch: string, entry: TickEntry, scope: Scope, maxEvents: number): DeltaFrame | null {
  const totals = entry.totals.get(scope.key);
  if (!totals) return null;
  const events = scope.all ? entry.events : entry.events.filter((e) => eventInScope(scope, e));
  const kept = events.length > maxEvents ? events.slice(events.length - maxEvents) : events;
  return {
    type: 'delta',
    epoch,
    seq: entry.seq,
    t: entry.t,
    restaurants: scope.all ? [...entry.changed] : entry.changed.filter((f) => scope.includes(f.rid)),
    removed: scope.all ? [...entry.removed] : entry.removed.filter((rid) => scope.includes(rid)),
    totals,
    events: [...kept],
    eventsOmitted: events.length - kept.length,
    refreshMs: entry.refreshMs,
  };
}

export function snapshotFor(args: {
  epoch: string;
  seq: number;
  t: number;
  tickMs: number;
  refreshMs: number;
  historyFrames: number;
  scope: Scope;
  restaurants: Iterable<RestaurantFiguresWire>;
  totals: FleetTotalsWire;
  events: LiveEvent[];
}): SnapshotFrame {
  const { scope } = args;
  const restaurants: RestaurantFiguresWire[] = [];
  for (const f of args.restaurants) if (scope.includes(f.rid)) restaurants.push(f);
  return {
    type: 'snapshot',
    epoch: args.epoch,
    seq: args.seq,
    t: args.t,
    tickMs: args.tickMs,
    refreshMs: args.refreshMs,
    historyFrames: args.historyFrames,
    scope: scope.wire,
    restaurants,
    totals: args.totals,
    events: args.events.filter((e) => eventInScope(scope, e)),
  };
}

/** One terminal's events; filtered by scope again in case a terminal moved between restaurants. */
export function terminalEventsFor(
  epoch: string,
  seq: number,
  scope: Scope,
  terminal: { rid: string | undefined; tid: string },
  events: readonly LiveEvent[],
  initial: boolean,
): TerminalEventsFrame {
  return {
    type: 'terminal_events',
    epoch,
    seq,
    tid: terminal.tid,
    ...(terminal.rid === undefined ? {} : { rid: terminal.rid }),
    initial,
    events: events.filter((e) => isOf(terminal, e) && eventInScope(scope, e)),
  };
}

/** Whether `e` is terminal (rid, tid)'s — any restaurant's of that id when rid is undefined. */
export function isOf(terminal: { rid: string | undefined; tid: string }, e: LiveEvent): boolean {
  return 'tid' in e && e.tid === terminal.tid && (terminal.rid === undefined || ('rid' in e && e.rid === terminal.rid));
}

/** Totals of an empty scope (a source that failed, or a manager whose restaurants are unknown). */
export function emptyTotals(): FleetTotalsWire {
  return {
    restaurants: 0,
    byStatus: { healthy: 0, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 },
    connections: 0,
    expected: 0,
    reconnectsPerMin: 0,
    heartbeatSuccess: null,
    rttMs: null,
    deliveryMs: null,
    errors: {},
    errorsPerMin: 0,
    stability: null,
  };
}
