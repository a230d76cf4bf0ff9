/**
 * The live state of the fleet, fed by telemetry frames from any number of gateways. Pure: no I/O,
 * no timers — the hub calls, in any order:
 *
 *   state.applyFrame(frame)      for every frame off the bus  → 'applied' | 'duplicate' | { gap }
 *   state.tick(now)              once per tick (1 s)          → integrates terminal-time, settles minutes
 *   state.figuresOf(rid, now)    the figures of one restaurant (figures.ts defines them)
 *   state.figures(now)           all of them; `totals(figs.filter(inScope))` for a viewer's totals
 *   state.drainRollups()         settled restaurant-minutes, for the store
 *   state.drainLifecycle()       records the state made itself (gateway endings), for the store
 *
 * This file only composes the pieces, each usable on its own (the replay reuses them):
 * - gateway-ledger.ts: each gateway's run and seq — duplicates, gaps, restarts, goodbyes, silence.
 *   A lost, stopped or restarted gateway takes its connections out of the live view, whatever its
 *   last frame said; gateway-endings.ts makes the closes nobody saw;
 * - connection-registry.ts: terminals and connections from the raw lifecycle events and the
 *   frames' beats (connected set, connections gauge, reconnects across gateways);
 * - counter-ingest.ts: counters and histograms from the frames' restaurant-seconds;
 * - terminal-time.ts: terminal-time and expected heartbeats, integrated at each tick;
 * - fleet-readouts.ts: figures and terminal views at a moment.
 *
 * A hub restarting over a replayable bus (Redis) rebuilds this state from what it stored and what
 * the bus still holds (src/server/hub/resume/): `resumeFrom`, `seedGateways`, `seedConnections`,
 * `applyStoredEvents`, then the replayed frames — those whose lifecycle events are already stored
 * with `{ lifecycle: false }`.
 */
import type { LifecycleEvent, TelemetryFrame } from '../protocol/telemetry.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { ingestCounters } from './counter-ingest.ts';
import type { RestaurantFigures } from './figures.ts';
import { EXPECTED_WINDOW_MS, figuresOf, terminalsOf, type TerminalView } from './fleet-readouts.ts';
import { RestaurantWindows } from './fleet-state-window.ts';
import { endingCloses, LostConnections, type DroppedConnection, type Ending } from './gateway-endings.ts';
import { GatewayLedger, type ApplyResult, type GatewayStatus } from './gateway-ledger.ts';
import { counterKey, type RestaurantMinute } from './rollup.ts';
import { countDueBeats, integrateTerminalTime, type TerminalTimeOptions } from './terminal-time.ts';

export type { ApplyResult, GatewayState, GatewayStatus } from './gateway-ledger.ts';
export type { TerminalView } from './fleet-readouts.ts';
export { RestaurantState } from './connection-registry.ts';
export { figuresOf } from './fleet-readouts.ts';

export interface FleetStateOptions {
  /** A minute's rollup is emitted this long after the minute ends, so late frames still count. */
  settleMs?: number;
  /** A gateway not heard of for this long (hub time) is presumed dead. */
  gatewayTimeoutMs?: number;
  /** Terminals seen within this long are expected (DESIGN.md: 7 days). */
  expectedWindowMs?: number;
  /** The heartbeat interval the gateways ask of terminals (DESIGN.md: 15 s); compressed in tests. */
  heartbeatIntervalMs?: number;
  /** The grace after it within which a heartbeat is on time (DESIGN.md: 5 s). */
  heartbeatGraceMs?: number;
}

export interface FleetStateStats {
  frames: number;
  duplicates: number;
  lostFrames: number;
  staleFrames: number;
  /** Histograms in frames that did not decode (a producer bug): skipped. */
  badHistograms: number;
  /** Writes for minutes whose rollup had already been emitted: kept in totals, not in the store. */
  lateWrites: number;
  restaurants: number;
  terminals: number;
  connections: number;
  gateways: number;
  pendingRollups: number;
}

export class FleetState {
  private readonly settleMs: number;
  private readonly gatewayTimeoutMs: number;
  private readonly time: TerminalTimeOptions;
  private readonly ledger = new GatewayLedger();
  // A restaurant new to the hub is as late for a settled minute as any other.
  private readonly registry = new ConnectionRegistry((r) => r.windows.markSettled(this.settledBefore()));
  /** Minutes before this one are in the store already: writes to them are late, never rolled up. */
  private writtenBefore = -Infinity;
  /**
   * Refused tokens, fleet-wide, for viewers who see everything: a refused token's claims are
   * unverified, so it never counts toward the restaurant it names (issue 18, item 9).
   */
  readonly unscoped = new RestaurantWindows('');
  private rollups: RestaurantMinute[] = [];
  private lifecycle: LifecycleEvent[] = [];
  private readonly lost = new LostConnections();
  private now: number | undefined;
  /** The first tick: before it the hub watched nothing, so no heartbeat was expected of anyone. */
  private watchingSince: number | undefined;
  private badHistograms = 0;
  private lastPrune = -Infinity;

  constructor(options: FleetStateOptions = {}) {
    this.settleMs = options.settleMs ?? 5_000;
    this.gatewayTimeoutMs = options.gatewayTimeoutMs ?? 15_000;
    this.time = {
      expectedWindowMs: options.expectedWindowMs ?? EXPECTED_WINDOW_MS,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
      heartbeatGraceMs: options.heartbeatGraceMs ?? 5_000,
    };
    if (!(this.time.heartbeatIntervalMs > 0)) throw new Error(`heartbeatIntervalMs must be positive, not ${this.time.heartbeatIntervalMs}`);
  }

  /**
   * `lifecycle: false`: the frame's lifecycle events were applied already (`applyStoredEvents`).
   * `quiet: true`: everything the frame brings is in the store already (a clean stop wrote its open
   * minute): only its beats count — each connection's last sign of life, which health reads.
   */
  applyFrame(frame: TelemetryFrame, options: { lifecycle?: boolean; quiet?: boolean } = {}): ApplyResult {
    if (options.quiet) return this.muted(() => this.applyFrame(frame, { lifecycle: false }));
    const { result, restarted, stopped } = this.ledger.admit(frame, this.now ?? frame.t);
    // A new incarnation: the old process's connections died with it, before the new one started.
    if (restarted) {
      const startedAt = startOf(frame);
      this.end(frame.gw, this.registry.dropGateway(frame.gw, startedAt), startedAt, 'restarted');
    }
    if (result === 'duplicate') return result;
    // Beats before lifecycle: a beat listed in a frame happened before any close in that frame.
    for (const rs of frame.seconds) {
      const r = this.registry.restaurant(rs.rid);
      if (!this.registry.muted) this.badHistograms += ingestCounters(r.windows, rs);
      for (const b of rs.beats) {
        if (!this.registry.beat(frame.gw, r, b)) continue;
        const open = this.lost.reopened(frame.gw, rs.rid, b);
        if (open !== null) this.lifecycle.push(open);
      }
    }
    if (options.lifecycle !== false) for (const e of frame.lifecycle) this.applyLifecycle(frame.gw, e);
    // After the frame's own closes: only what it left open was never seen to close.
    if (stopped) this.end(frame.gw, this.registry.dropGateway(frame.gw, frame.t), frame.t, 'stopped');
    return result;
  }

  // ---- rebuilding after a restart (see the file comment) --------------------------------------

  /**
   * This state continues an earlier run's: every minute before `minute` is in the store (later
   * writes to them are late, as if settled), and heartbeat intervals count from each terminal's
   * connection, not from this state's first tick — the earlier run was watching.
   */
  resumeFrom(minute: number): void {
    this.writtenBefore = Math.max(this.writtenBefore, minute);
    for (const r of this.registry.restaurants.values()) r.windows.markSettled(this.writtenBefore);
    this.watchingSince = -Infinity;
  }

  /**
   * The minute before which every minute has been settled (handed to `drainRollups`) or was
   * written before: what a checkpoint may call written once those rollups are.
   */
  settledBefore(): number {
    const settled = this.now === undefined ? -Infinity : Math.floor((this.now - this.settleMs) / 60_000) * 60_000;
    return Math.max(this.writtenBefore, settled);
  }

  /**
   * Gateways known from before a restart, with the run they were on (-1: unknown) and when they
   * were last heard of: one that stays silent is presumed dead after the timeout, taking its seeded
   * connections with it; one back with a newer run restarted meanwhile. Its next frame, whatever its
   * seq, sets its position.
   */
  seedGateways(list: readonly { gw: string; run: number; heardAt: number }[]): void {
    this.ledger.seed(list);
  }

  /**
   * Connections the store says are open (their opens older than the events `applyStoredEvents`
   * replays): open again, with their open time, counted neither as opens nor as reconnects — that
   * happened before. Their gateway should be seeded too.
   */
  seedConnections(opens: readonly { gw: string; rid: string; tid: string; conn: string; t: number }[]): void {
    // The gauge changes where minutes can still be written; the open itself is history.
    for (const o of opens) this.registry.seedOpen(o, Math.max(o.t, this.writtenBefore));
  }

  /**
   * Stored lifecycle events, oldest first, applied as their frames applied them: connections,
   * reconnects (across gateways) and the connections gauge. Contributions to minutes already
   * written are late and dropped (`resumeFrom` first).
   */
  applyStoredEvents(events: readonly LifecycleEvent[], options: { quiet?: boolean } = {}): void {
    if (options.quiet) return this.muted(() => this.applyStoredEvents(events));
    for (const e of events) this.applyLifecycle(e.gw, e);
  }

  /** Runs `f` with nothing written to any restaurant's minutes (see `ConnectionRegistry.muted`). */
  private muted<T>(f: () => T): T {
    const was = this.registry.muted;
    this.registry.muted = true;
    try {
      return f();
    } finally {
      this.registry.muted = was;
    }
  }

  /**
   * History the store knows and a fresh hub does not: terminals seen in the last 7 days (expected)
   * and their last close (so the first reconnect after a hub restart still counts).
   */
  seedTerminals(list: readonly { rid: string; tid: string; lastSeen: number; lastClose?: number }[]): void {
    for (const s of list) this.registry.seedTerminal(s);
  }

  private applyLifecycle(gw: string, e: LifecycleEvent): void {
    switch (e.type) {
      case 'open':
        this.registry.open(gw, e.rid, e.tid, e.conn, e.t);
        break;
      case 'close':
        this.creditBeatsToClose(e.rid, e.tid, e.t);
        this.registry.close(gw, e.rid, e.tid, e.conn, e.t);
        break;
      case 'auth_fail':
        // Fleet-wide only, whatever restaurant its unverified claims name.
        if (!this.registry.muted) this.unscoped.count(e.t, counterKey.errors('auth_failed'), 1);
        break;
      default:
        break; // limits and late beats: counted in the restaurant-second; the events are for the feed and timeline
    }
  }

  /**
   * The intervals a terminal's last connection lived through since the last tick are expected
   * beats, though the close reaches the hub before the tick that would count them: a watchdog's
   * 4008 lands right when the interval it convicts runs out, and counting at ticks alone lost
   * exactly that interval — a half-open terminal's heartbeat share read too high.
   */
  private creditBeatsToClose(rid: string, tid: string, t: number): void {
    if (this.registry.muted || this.now === undefined || this.watchingSince === undefined || t <= this.now) return;
    const r = this.registry.restaurants.get(rid);
    const term = r?.terminals.get(tid);
    if (r === undefined || term === undefined || term.conns !== 1) return;
    countDueBeats(r, term, this.now, t, this.watchingSince, this.time);
  }

  // ---- time -----------------------------------------------------------------------------------

  /** Advance to hub time `now`: terminal-time, gateway liveness, settled minutes. */
  tick(now: number): void {
    const from = this.now;
    this.now = now;
    this.watchingSince ??= now;
    if (from !== undefined && now > from) {
      for (const r of this.registry.restaurants.values()) integrateTerminalTime(r, from, now, this.watchingSince, this.time);
    }
    for (const gw of this.ledger.expire(now, this.gatewayTimeoutMs)) {
      const dropped = this.registry.dropGateway(gw, now);
      // At its last frame (its clock, as the events' times are), not at the hub's `now`.
      this.end(gw, dropped, this.ledger.get(gw)?.lastFrameT ?? now, 'lost');
    }
    for (const r of this.registry.restaurants.values()) {
      for (const m of r.windows.settle(now - this.settleMs)) this.rollups.push(m);
    }
    this.unscoped.settle(now - this.settleMs);
    if (now - this.lastPrune >= 60_000) {
      this.lastPrune = now;
      this.registry.prune(now, now - this.time.expectedWindowMs);
    }
  }

  /**
   * Connections nobody saw close because their gateway ended (gateway-endings.ts): a close each —
   * `gateway_lost` at the last frame, `gateway_stopped` at the goodbye, `gateway_restarted` at the
   * new run's start — like `hub_killed` at a hub restart, so the store, timelines and the replay
   * read open → closed instead of open forever. Written by the hub (`drainLifecycle`).
   */
  private end(gw: string, dropped: readonly DroppedConnection[], t: number, ending: Ending): void {
    this.lifecycle.push(...endingCloses(gw, dropped, t, ending));
    if (ending === 'lost') this.lost.remember(gw, dropped);
    else this.lost.forget(gw);
  }

  /** Records the state itself made since the last call (gateway endings, re-adoptions), for the store. */
  drainLifecycle(): LifecycleEvent[] {
    const out = this.lifecycle;
    this.lifecycle = [];
    return out;
  }

  /** Restaurant-minutes settled since the last call, oldest minute first per restaurant. */
  drainRollups(): RestaurantMinute[] {
    const out = this.rollups;
    this.rollups = [];
    return out;
  }

  /**
   * The minutes not settled yet, as they stand, of one restaurant or (rid undefined) of all: a
   * history view up to now joins these to what the store has.
   */
  openMinutes(rid?: string): RestaurantMinute[] {
    if (rid !== undefined) return this.registry.restaurants.get(rid)?.windows.openMinutes() ?? [];
    return [...this.registry.restaurants.values()].flatMap((r) => r.windows.openMinutes());
  }

  /** Settle every minute still open, finished or not, and return them (shutdown: flush to the store). */
  sealOpenMinutes(): RestaurantMinute[] {
    const out: RestaurantMinute[] = [];
    for (const r of this.registry.restaurants.values()) out.push(...r.windows.settle(Infinity));
    this.unscoped.settle(Infinity);
    return out;
  }

  // ---- read-outs ------------------------------------------------------------------------------

  figuresOf(rid: string, now: number): RestaurantFigures | null {
    const r = this.registry.restaurants.get(rid);
    return r === undefined ? null : figuresOf(r, now, this.time.expectedWindowMs);
  }

  figures(now: number): RestaurantFigures[] {
    return [...this.registry.restaurants.values()].map((r) => figuresOf(r, now, this.time.expectedWindowMs));
  }

  restaurantIds(): string[] {
    return [...this.registry.restaurants.keys()];
  }

  /** Settled minutes of the last hour, oldest first: the hour charts. */
  minutesOf(rid: string): readonly RestaurantMinute[] {
    return this.registry.restaurants.get(rid)?.windows.settled ?? [];
  }

  /** Counters and terminal-time since this state started: for reconciliation against ground truth. */
  totalsOf(rid: string): Readonly<Record<string, number>> {
    return this.registry.restaurants.get(rid)?.windows.totals ?? {};
  }

  /**
   * The restaurants that have a terminal of this id, sorted: a terminal id names a terminal only
   * within its restaurant (issue 18, item 3). Read from the registry rather than kept beside it,
   * so a terminal the registry prunes is forgotten here too; one lookup per restaurant, asked
   * only by the old bare-id URL and `watch_terminal`.
   */
  restaurantsWithTerminal(tid: string): string[] {
    const out: string[] = [];
    for (const [rid, r] of this.registry.restaurants) if (r.terminals.has(tid)) out.push(rid);
    return out.sort();
  }

  terminalsOf(rid: string, now: number): TerminalView[] {
    const r = this.registry.restaurants.get(rid);
    return r === undefined ? [] : terminalsOf(r, now, this.time.expectedWindowMs);
  }

  gatewayStatus(): GatewayStatus[] {
    return this.ledger.status();
  }

  stats(): FleetStateStats {
    let lateWrites = this.unscoped.lateWrites;
    let terminals = 0;
    let connections = 0;
    for (const r of this.registry.restaurants.values()) {
      lateWrites += r.windows.lateWrites;
      terminals += r.terminals.size;
      connections += r.connections.size;
    }
    const restaurants = this.registry.restaurants.size;
    return { ...this.ledger.totals(), badHistograms: this.badHistograms, lateWrites, restaurants, terminals, connections, gateways: this.ledger.size, pendingRollups: this.rollups.length };
  }
}

/**
 * When a run began, as far as its first frame tells: the earliest thing in it. Not `run`, though it
 * is a start time too: the open ingest numbers runs by the hub's clock, and tests by 1, 2, 3.
 */
function startOf(frame: TelemetryFrame): number {
  let t = frame.t;
  for (const rs of frame.seconds) t = Math.min(t, rs.s);
  for (const e of frame.lifecycle) t = Math.min(t, e.t);
  return t;
}
