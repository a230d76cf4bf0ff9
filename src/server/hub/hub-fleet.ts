/**
 * The hub's hold on core's fleet state: frames in, figures out in wire shapes (the REST API and
 * the stream read the same `HubView`), settled minutes to the store. Every figure is computed in
 * src/core (fleet-state.ts, figures.ts); this file only converts shapes and keeps the little the
 * API needs that figures do not carry (each terminal's last close, which restaurant a terminal is in).
 */
import type { Clock } from '../../core/clock.ts';
import { totals as totalsOf, type FleetTotals, type RestaurantFigures } from '../../core/figures.ts';
import { FleetState, type ApplyResult, type FleetStateOptions } from '../../core/fleet-state.ts';
import type { RestaurantMinute } from '../../core/rollup.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import { sharedFigureFields, type FleetTotalsWire, type RestaurantFiguresWire } from '../../protocol/live.ts';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
import type { LifecycleEvent, TelemetryFrame } from '../../protocol/telemetry.ts';
import type { KnownTerminal } from '../store/store.ts';
import type { GatewayIngestStats } from './hub-metrics.ts';
import type { HubView, TerminalWire } from './hub-view.ts';
import type { LiveSample } from './live/live-source.ts';

export interface HubFleetOptions {
  clock: Clock;
  /** Terminals the store saw lately (expected terminals), by `terminalKey(rid, tid)`; or later, `seedTerminals`. */
  known?: ReadonlyMap<string, KnownTerminal>;
  state?: FleetStateOptions;
}

export interface HubFleet {
  /**
   * Applies a frame; returns its lifecycle events when it was new (none for a duplicate).
   * `lifecycle: false`: they were applied from the store already (a replay after a restart).
   */
  apply(frame: TelemetryFrame, options?: { lifecycle?: boolean; quiet?: boolean }): { result: ApplyResult; lifecycle: readonly LifecycleEvent[] };
  /**
   * What a restart knows from the store (resume/): terminals seen lately with their last closes,
   * the connections open when the last run stopped, and stored lifecycle events, applied in order.
   */
  seedTerminals(known: ReadonlyMap<string, KnownTerminal>): void;
  seedConnections(opens: readonly ProbeEventOf<'open'>[]): void;
  applyStoredEvents(events: readonly LifecycleEvent[], options?: { quiet?: boolean }): void;
  /** Advances the state to `now` and returns the restaurant-minutes that settled. */
  settle(now: number): RestaurantMinute[];
  /** Records the state made itself since the last call (closes of ended gateways' connections), for the store. */
  drainLifecycle(): LifecycleEvent[];
  /** Shutdown: every minute still open, as it stands (the next run's part merges in the store). */
  sealAll(now: number): RestaurantMinute[];
  sample(now: number): LiveSample;
  readonly view: HubView;
  readonly state: FleetState;
  gateways(): ReadonlyMap<string, GatewayIngestStats>;
  counts(): { restaurants: number; connections: number; terminals: number };
}

/** The figures both wire shapes carry, copied as core computed them (the list is protocol/live.ts's). */
function sharedFigures(f: RestaurantFigures | FleetTotals): Pick<RestaurantFiguresWire, (typeof sharedFigureFields)[number]> {
  const out: Partial<Record<(typeof sharedFigureFields)[number], unknown>> = {};
  for (const field of sharedFigureFields) out[field] = f[field];
  return out as Pick<RestaurantFiguresWire, (typeof sharedFigureFields)[number]>;
}

export function toRestaurantWire(f: RestaurantFigures): RestaurantFiguresWire {
  return { rid: f.rid, status: f.status, ...sharedFigures(f) };
}

export function toTotalsWire(t: FleetTotals): FleetTotalsWire {
  return { restaurants: t.restaurants, byStatus: { ...t.byStatus }, ...sharedFigures(t) };
}

type LastClose = NonNullable<TerminalWire['lastClose']>;

export function createHubFleet(o: HubFleetOptions): HubFleet {
  const state = new FleetState(o.state);
  /** Each terminal's last close, by `terminalKey(rid, tid)`. */
  const lastClose = new Map<string, LastClose>();
  const lastFrameAt = new Map<string, number>();
  function seedTerminals(known: ReadonlyMap<string, KnownTerminal>): void {
    // Their last closes too: a terminal back within 10 min of a close before the restart reconnected.
    state.seedTerminals([...known.values()].map((k) => ({ tid: k.tid, rid: k.rid, lastSeen: k.lastSeen, ...(k.lastClose !== undefined ? { lastClose: k.lastClose } : {}) })));
  }
  if (o.known) seedTerminals(o.known);

  function note(events: readonly LifecycleEvent[]): void {
    for (const e of events) {
      if (e.type === 'auth_fail') continue; // unverified claims name no terminal of ours
      if (e.type === 'close') {
        const key = terminalKey(e.rid, e.tid);
        const prev = lastClose.get(key);
        if (!prev || e.t >= prev.t) lastClose.set(key, { t: e.t, code: e.code, cause: e.cause, reason: e.reason });
      }
    }
  }

  function apply(frame: TelemetryFrame, options: { lifecycle?: boolean; quiet?: boolean } = {}): { result: ApplyResult; lifecycle: readonly LifecycleEvent[] } {
    lastFrameAt.set(frame.gw, o.clock.now());
    const result = state.applyFrame(frame, options);
    if (result === 'duplicate' || options.lifecycle === false || options.quiet) return { result, lifecycle: [] };
    note(frame.lifecycle);
    return { result, lifecycle: frame.lifecycle };
  }


  function terminals(rid: string, now: number): TerminalWire[] {
    return state.terminalsOf(rid, now).map((t) => {
      const conns = t.connections;
      const close = lastClose.get(terminalKey(rid, t.tid)) ?? null;
      const connected = conns.length > 0;
      return {
        tid: t.tid,
        rid,
        state: connected ? 'connected' : 'disconnected',
        health: t.health,
        connectedSince: connected ? Math.min(...conns.map((c) => c.since)) : null,
        disconnectedAt: connected ? null : (close?.t ?? null),
        // The terminal's, not its open connection's: a closed connection's last beat is still its
        // last heartbeat (issue 18, item 12). A hub restart starts them at null: the store keeps
        // no on-time beats.
        lastHeartbeatAt: t.lastBeatT,
        rttMs: t.lastRttMs,
        lastClose: close,
      };
    });
  }

  const view: HubView = {
    restaurants: (now) => state.figures(now).map(toRestaurantWire),
    totals: (now, inScope) => toTotalsWire(totalsOf(state.figures(now).filter((f) => inScope(f.rid)), now)),
    restaurant(rid, now) {
      const f = state.figuresOf(rid, now);
      return f ? toRestaurantWire(f) : undefined;
    },
    terminals,
    terminalRestaurants: (tid) => state.restaurantsWithTerminal(tid),
    openMinutes: (rid) => state.openMinutes(rid),
  };

  return {
    apply,
    seedTerminals,
    seedConnections(opens) {
      state.seedConnections(opens);
    },
    applyStoredEvents(events, options) {
      state.applyStoredEvents(events, options);
      note(events);
    },
    settle(now) {
      state.tick(now);
      return state.drainRollups();
    },
    drainLifecycle() {
      const events = state.drainLifecycle();
      note(events);
      return events;
    },
    sealAll(now) {
      state.tick(now);
      return [...state.drainRollups(), ...state.sealOpenMinutes()];
    },
    sample(now) {
      // Figures once per tick; totals per scope from the same figures (percentiles merge histograms).
      const figures = state.figures(now);
      return {
        restaurants: figures.map(toRestaurantWire),
        totals: (inScope) => toTotalsWire(totalsOf(figures.filter((f) => inScope(f.rid)), now)),
      };
    },
    view,
    state,
    gateways() {
      const out = new Map<string, GatewayIngestStats>();
      for (const g of state.gatewayStatus()) {
        out.set(g.gw, { applied: g.frames, duplicate: g.duplicates + g.staleFrames, lost: g.lostFrames, lastFrameAt: lastFrameAt.get(g.gw) ?? 0, state: g.state });
      }
      return out;
    },
    counts() {
      const s = state.stats();
      return { restaurants: s.restaurants, connections: s.connections, terminals: s.terminals };
    },
  };
}
