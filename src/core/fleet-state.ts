/**
 * The live state of the fleet, fed by telemetry frames from any number of gateways. Pure: no I/O,
 * no timers — the hub calls, in any order:
 *
 *   state.applyFrame(frame)      for every frame off the bus  → 'applied' | 'duplicate' | { gap }
 *   state.tick(now)              once per tick (1 s)          → integrates terminal-time, settles minutes
 *   state.figuresOf(rid, now)    the figures of one restaurant (figures.ts defines them)
 *   state.figures(now)           all of them; `totals(figs.filter(inScope))` for a viewer's totals
 *   state.drainRollups()         settled restaurant-minutes, for the store
 *
 * What comes from where:
 * - counters and histograms from the frames' restaurant-seconds (the gateways aggregated them);
 * - the connected set, the connections gauge and reconnects from the raw lifecycle events — a
 *   restaurant's terminals may be spread over gateways, so only the hub can count a terminal that
 *   left gateway A and came back through gateway B (once: see reconnect.ts). The frames' own
 *   `reconnects` and `conns` are per gateway and not used here;
 * - each connection's last heartbeat and RTT from the frames' `beats`;
 * - terminal-time (connected, healthy, expected) by integrating, at each tick, the state the hub
 *   holds — so it is exact to a tick plus the bus delay, which is what stability needs;
 * - expected heartbeats (`hbExpected`) by counting, at each tick, the heartbeat intervals (plus
 *   grace) that ran out while a terminal was connected and the hub was watching: a terminal that
 *   connected 10 s ago, or a hub that started 10 s ago, has missed nothing yet.
 *
 * A hub restarting over a replayable bus (Redis) rebuilds this state from what it stored and what
 * the bus still holds (src/server/hub/hub-resume.ts): `resumeFrom`, `seedGateways`,
 * `seedConnections`, `applyStoredEvents`, then the replayed frames — those whose lifecycle events
 * are already stored with `{ lifecycle: false }`.
 *
 * At-least-once delivery: a frame already applied (same gateway, run and seq) is ignored; a jump
 * in seq is counted as lost frames per gateway and reported, never hidden. The first frame heard
 * from a gateway sets its position (a hub that starts late has not lost what it never subscribed
 * to). A gateway heard of for the last time longer ago than `gatewayTimeoutMs`, or that restarted
 * (new `run`), takes its connections out of the live view: a dead gateway's terminals are not
 * connected, whatever its last frame said.
 */
import type { LifecycleEvent, RestaurantSecond, TelemetryFrame } from '../protocol/telemetry.ts';
import { computeFigures } from './figures.ts';
import type { RestaurantFigures } from './figures.ts';
import { RestaurantWindows } from './fleet-state-window.ts';
import type { HistName } from './fleet-state-window.ts';
import { healthOf } from './health.ts';
import type { Health } from './health.ts';
import { decodeHistogram } from './histogram.ts';
import { ReconnectTracker } from './reconnect.ts';
import { counterKey } from './rollup.ts';
import type { RestaurantMinute } from './rollup.ts';

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

export type ApplyResult = 'applied' | 'duplicate' | { gap: number };

export interface GatewayStatus {
  gw: string;
  run: number;
  lastSeq: number;
  frames: number;
  duplicates: number;
  /** Frames missing from the sequence: telemetry lost between this gateway and the hub. */
  lostFrames: number;
  /** Frames of an older run that arrived after a newer one (counted, not applied). */
  staleFrames: number;
  /** The gateway's clock in its last frame. */
  lastFrameT: number;
  /** Hub time the last frame was applied (the last tick's `now`). */
  lastHeardAt: number;
  alive: boolean;
}

export interface TerminalView {
  tid: string;
  /** Last open, close or heartbeat (ms). */
  lastSeen: number;
  /** Silence of its connections (DESIGN.md thresholds); 'offline' when it has none. */
  health: Health | 'offline';
  connections: { gw: string; conn: string; since: number; lastBeatT: number | null; lastRttMs: number | null }[];
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

class Conn {
  readonly key: string;
  readonly gw: string;
  readonly conn: string;
  readonly tid: string;
  since: number;
  lastBeatT: number | null = null;
  lastRtt: number | null = null;
  constructor(key: string, gw: string, conn: string, tid: string, since: number) {
    this.key = key;
    this.gw = gw;
    this.conn = conn;
    this.tid = tid;
    this.since = since;
  }
}

class Terminal {
  readonly tid: string;
  lastSeen: number;
  /** Open connections of this terminal. */
  conns = 0;
  /** Latest open or heartbeat: what its health is measured from. */
  lastActivity = -Infinity;
  /** When its open connections went from none to one: its heartbeat intervals start there. */
  connectedSince = -Infinity;
  constructor(tid: string, lastSeen: number) {
    this.tid = tid;
    this.lastSeen = lastSeen;
  }
}

/** One restaurant's live state; `figuresOf(restaurant, now)` reads it. */
export class RestaurantState {
  readonly rid: string;
  readonly windows: RestaurantWindows;
  readonly terminals = new Map<string, Terminal>();
  readonly connections = new Map<string, Conn>();
  constructor(rid: string) {
    this.rid = rid;
    this.windows = new RestaurantWindows(rid);
  }
}

const SEP = '\u0000';
const RECENTLY_CLOSED_MS = 60_000;
const histFields: readonly [HistName, 'rtt' | 'latency' | 'duration'][] = [
  ['rtt', 'rtt'],
  ['latency', 'latency'],
  ['duration', 'duration'],
];

export class FleetState {
  private readonly settleMs: number;
  private readonly gatewayTimeoutMs: number;
  private readonly expectedWindowMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatGraceMs: number;
  private readonly restaurants = new Map<string, RestaurantState>();
  private readonly gateways = new Map<string, GatewayStatus>();
  /** Seeded gateways whose next frame sets their position (no gap, no duplicate before it). */
  private readonly unpositioned = new Set<string>();
  /** Minutes before this one are in the store already: writes to them are late, never rolled up. */
  private writtenBefore = -Infinity;
  /** Reconnects across gateways, keyed by restaurant and terminal. */
  private readonly reconnects = new ReconnectTracker();
  /** Connections closed lately, so a late beat cannot bring one back to life. */
  private readonly recentlyClosed = new Map<string, number>();
  /** Refused tokens that named no restaurant: fleet-wide, for viewers who see everything. */
  readonly unscoped = new RestaurantWindows('');
  private rollups: RestaurantMinute[] = [];
  private now: number | undefined;
  /** The first tick: before it the hub watched nothing, so no heartbeat was expected of anyone. */
  private watchingSince: number | undefined;
  private badHistograms = 0;
  private lastPrune = -Infinity;

  constructor(options: FleetStateOptions = {}) {
    this.settleMs = options.settleMs ?? 5_000;
    this.gatewayTimeoutMs = options.gatewayTimeoutMs ?? 15_000;
    this.expectedWindowMs = options.expectedWindowMs ?? 7 * 24 * 3_600_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
    this.heartbeatGraceMs = options.heartbeatGraceMs ?? 5_000;
    if (!(this.heartbeatIntervalMs > 0)) throw new Error(`heartbeatIntervalMs must be positive, not ${this.heartbeatIntervalMs}`);
  }

  /** `lifecycle: false`: the frame's lifecycle events were applied already (`applyStoredEvents`). */
  applyFrame(frame: TelemetryFrame, options: { lifecycle?: boolean } = {}): ApplyResult {
    let g = this.gateways.get(frame.gw);
    let gap = 0;
    if (g !== undefined && this.unpositioned.has(frame.gw)) {
      if (frame.run < g.run) {
        g.staleFrames++;
        return 'duplicate';
      }
      this.unpositioned.delete(frame.gw);
      // Restarted since its seeded connections were stored: they died with the old process.
      if (frame.run > g.run && g.run >= 0) this.dropConnections(frame.gw, frame.t);
      g.run = frame.run;
      g.lastSeq = frame.seq - 1;
    }
    if (g === undefined) {
      g = { gw: frame.gw, run: frame.run, lastSeq: frame.seq - 1, frames: 0, duplicates: 0, lostFrames: 0, staleFrames: 0, lastFrameT: frame.t, lastHeardAt: 0, alive: true };
      this.gateways.set(frame.gw, g);
    } else if (frame.run > g.run) {
      // A new incarnation: the old process's connections died with it.
      this.dropConnections(frame.gw, frame.t);
      g.run = frame.run;
      gap = frame.seq - 1;
    } else if (frame.run < g.run) {
      g.staleFrames++;
      return 'duplicate';
    } else if (frame.seq <= g.lastSeq) {
      g.duplicates++;
      return 'duplicate';
    } else {
      gap = frame.seq - g.lastSeq - 1;
    }
    g.lastSeq = frame.seq;
    g.frames++;
    g.lostFrames += gap;
    g.lastFrameT = frame.t;
    g.lastHeardAt = this.now ?? frame.t;
    g.alive = true;
    // Beats before lifecycle: a beat listed in a frame happened before any close in that frame.
    for (const rs of frame.seconds) this.applySecond(frame.gw, rs);
    if (options.lifecycle !== false) for (const e of frame.lifecycle) this.applyLifecycle(frame.gw, e);
    return gap > 0 ? { gap } : 'applied';
  }

  // ---- rebuilding after a restart (see the file comment) --------------------------------------

  /**
   * This state continues an earlier run's: every minute before `minute` is in the store (later
   * writes to them are late, as if settled), and heartbeat intervals count from each terminal's
   * connection, not from this state's first tick — the earlier run was watching.
   */
  resumeFrom(minute: number): void {
    this.writtenBefore = Math.max(this.writtenBefore, minute);
    for (const r of this.restaurants.values()) r.windows.markSettled(this.writtenBefore);
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
    for (const s of list) {
      if (this.gateways.has(s.gw)) continue;
      this.gateways.set(s.gw, { gw: s.gw, run: s.run, lastSeq: 0, frames: 0, duplicates: 0, lostFrames: 0, staleFrames: 0, lastFrameT: s.heardAt, lastHeardAt: s.heardAt, alive: true });
      this.unpositioned.add(s.gw);
    }
  }

  /**
   * Connections the store says are open (their opens older than the events `applyStoredEvents`
   * replays): open again, with their open time, counted neither as opens nor as reconnects — that
   * happened before. Their gateway should be seeded too.
   */
  seedConnections(opens: readonly { gw: string; rid: string; tid: string; conn: string; t: number }[]): void {
    for (const o of opens) {
      const r = this.restaurant(o.rid);
      const key = o.gw + SEP + o.conn;
      if (r.connections.has(key)) continue;
      // The gauge changes where minutes can still be written; the open itself is history.
      this.addConnection(r, o.gw, o.conn, o.tid, o.t, Math.max(o.t, this.writtenBefore));
      const term = this.terminal(r, o.tid, o.t);
      term.lastSeen = Math.max(term.lastSeen, o.t);
      this.reconnects.seedOpen(o.rid + SEP + o.tid, key);
    }
  }

  /**
   * Stored lifecycle events, oldest first, applied as their frames applied them: connections,
   * reconnects (across gateways) and the connections gauge. Contributions to minutes already
   * written are late and dropped (`resumeFrom` first).
   */
  applyStoredEvents(events: readonly LifecycleEvent[]): void {
    for (const e of events) this.applyLifecycle(e.gw, e);
  }

  private applyLifecycle(gw: string, e: LifecycleEvent): void {
    switch (e.type) {
      case 'open':
        this.onOpen(gw, e.rid, e.tid, e.conn, e.t);
        break;
      case 'close':
        this.onClose(gw, e.rid, e.tid, e.conn, e.t);
        break;
      case 'auth_fail':
        // With a restaurant, the frame's restaurant-second already counted it.
        if (e.rid === undefined) this.unscoped.count(e.t, counterKey.errors('auth_failed'), 1);
        break;
      default:
        break; // limits and late beats: counted in the restaurant-second; the events are for the feed and timeline
    }
  }

  /** Advance to hub time `now`: terminal-time, gateway liveness, settled minutes. */
  tick(now: number): void {
    const from = this.now;
    this.now = now;
    this.watchingSince ??= now;
    if (from !== undefined && now > from) {
      for (const r of this.restaurants.values()) this.integrate(r, from, now);
    }
    for (const g of this.gateways.values()) {
      if (g.alive && now - g.lastHeardAt > this.gatewayTimeoutMs) {
        g.alive = false;
        this.dropConnections(g.gw, now);
      }
    }
    for (const r of this.restaurants.values()) {
      for (const m of r.windows.settle(now - this.settleMs)) this.rollups.push(m);
    }
    this.unscoped.settle(now - this.settleMs);
    if (now - this.lastPrune >= 60_000) this.prune(now);
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
    if (rid !== undefined) return this.restaurants.get(rid)?.windows.openMinutes() ?? [];
    return [...this.restaurants.values()].flatMap((r) => r.windows.openMinutes());
  }

  /** Settle every minute still open, finished or not, and return them (shutdown: flush to the store). */
  sealOpenMinutes(): RestaurantMinute[] {
    const out: RestaurantMinute[] = [];
    for (const r of this.restaurants.values()) out.push(...r.windows.settle(Infinity));
    this.unscoped.settle(Infinity);
    return out;
  }

  figuresOf(rid: string, now: number): RestaurantFigures | null {
    const r = this.restaurants.get(rid);
    return r === undefined ? null : figuresOf(r, now, this.expectedWindowMs);
  }

  figures(now: number): RestaurantFigures[] {
    return [...this.restaurants.values()].map((r) => figuresOf(r, now, this.expectedWindowMs));
  }

  restaurantIds(): string[] {
    return [...this.restaurants.keys()];
  }

  /** Settled minutes of the last hour, oldest first: the hour charts. */
  minutesOf(rid: string): readonly RestaurantMinute[] {
    return this.restaurants.get(rid)?.windows.settled ?? [];
  }

  /** Counters and terminal-time since this state started: for reconciliation against ground truth. */
  totalsOf(rid: string): Readonly<Record<string, number>> {
    return this.restaurants.get(rid)?.windows.totals ?? {};
  }

  terminalsOf(rid: string, now: number): TerminalView[] {
    const r = this.restaurants.get(rid);
    if (r === undefined) return [];
    const byTid = new Map<string, TerminalView['connections']>();
    for (const c of r.connections.values()) {
      const list = byTid.get(c.tid) ?? [];
      list.push({ gw: c.gw, conn: c.conn, since: c.since, lastBeatT: c.lastBeatT, lastRttMs: c.lastRtt });
      byTid.set(c.tid, list);
    }
    return [...r.terminals.values()]
      .filter((t) => t.conns > 0 || t.lastSeen >= now - this.expectedWindowMs)
      .map((t) => ({ tid: t.tid, lastSeen: t.lastSeen, health: t.conns > 0 ? healthOf(t.lastActivity, now) : 'offline', connections: byTid.get(t.tid) ?? [] }));
  }

  /**
   * History the store knows and a fresh hub does not: terminals seen in the last 7 days (expected)
   * and their last close (so the first reconnect after a hub restart still counts).
   */
  seedTerminals(list: readonly { rid: string; tid: string; lastSeen: number; lastClose?: number }[]): void {
    for (const s of list) {
      const t = this.terminal(this.restaurant(s.rid), s.tid, s.lastSeen);
      t.lastSeen = Math.max(t.lastSeen, s.lastSeen);
      if (s.lastClose !== undefined) this.reconnects.remember(s.rid + SEP + s.tid, s.lastClose);
    }
  }

  gatewayStatus(): GatewayStatus[] {
    return [...this.gateways.values()].map((g) => ({ ...g }));
  }

  stats(): FleetStateStats {
    let lateWrites = this.unscoped.lateWrites;
    let terminals = 0;
    let connections = 0;
    for (const r of this.restaurants.values()) {
      lateWrites += r.windows.lateWrites;
      terminals += r.terminals.size;
      connections += r.connections.size;
    }
    let frames = 0;
    let duplicates = 0;
    let lostFrames = 0;
    let staleFrames = 0;
    for (const g of this.gateways.values()) {
      frames += g.frames;
      duplicates += g.duplicates;
      lostFrames += g.lostFrames;
      staleFrames += g.staleFrames;
    }
    return { frames, duplicates, lostFrames, staleFrames, badHistograms: this.badHistograms, lateWrites, restaurants: this.restaurants.size, terminals, connections, gateways: this.gateways.size, pendingRollups: this.rollups.length };
  }

  // ---- applying frames ----------------------------------------------------------------------

  private applySecond(gw: string, rs: RestaurantSecond): void {
    const r = this.restaurant(rs.rid);
    const w = r.windows;
    const t = rs.s;
    w.count(t, 'opens', rs.opens);
    for (const code in rs.closes) w.count(t, counterKey.closes(code), rs.closes[code] as number);
    for (const type in rs.errors) w.count(t, counterKey.errors(type), rs.errors[type as keyof typeof rs.errors] as number);
    for (const kind in rs.limits) w.count(t, counterKey.limits(kind), rs.limits[kind as keyof typeof rs.limits] as number);
    w.count(t, 'hbOnTime', rs.hbOnTime);
    w.count(t, 'hbLate', rs.hbLate);
    w.count(t, 'msgIn', rs.msgIn);
    w.count(t, 'msgOut', rs.msgOut);
    w.count(t, 'bytesIn', rs.bytesIn);
    w.count(t, 'bytesOut', rs.bytesOut);
    for (const [name, field] of histFields) {
      const text = rs[field];
      if (text === undefined) continue;
      const h = decodeHistogram(text);
      if (h === null) this.badHistograms++;
      else w.mergeHistogram(t, name, h);
    }
    for (const b of rs.beats) {
      const key = gw + SEP + b.conn;
      let c = r.connections.get(key);
      if (c === undefined) {
        // A connection the hub never saw open (it started later, or the open frame was lost) is
        // open all the same — unless it closed lately and this beat is older news.
        if (this.recentlyClosed.has(key)) continue;
        c = this.addConnection(r, gw, b.conn, b.tid, b.t);
      }
      if (c.lastBeatT === null || b.t >= c.lastBeatT) {
        c.lastBeatT = b.t;
        if (b.rtt !== undefined) c.lastRtt = b.rtt;
      }
      const term = this.terminal(r, b.tid, b.t);
      term.lastSeen = Math.max(term.lastSeen, b.t);
      term.lastActivity = Math.max(term.lastActivity, b.t);
    }
  }

  private onOpen(gw: string, rid: string, tid: string, conn: string, t: number): void {
    const r = this.restaurant(rid);
    const key = gw + SEP + conn;
    const existing = r.connections.get(key);
    if (existing) existing.since = Math.min(existing.since, t); // adopted from a beat earlier in this frame
    else this.addConnection(r, gw, conn, tid, t);
    const term = this.terminal(r, tid, t);
    term.lastSeen = Math.max(term.lastSeen, t);
    if (this.reconnects.open(rid + SEP + tid, t, key)) r.windows.count(t, 'reconnects', 1);
  }

  private onClose(gw: string, rid: string, tid: string, conn: string, t: number): void {
    const r = this.restaurant(rid);
    const key = gw + SEP + conn;
    this.removeConnection(r, key, t);
    this.recentlyClosed.set(key, t);
    const term = this.terminal(r, tid, t);
    term.lastSeen = Math.max(term.lastSeen, t);
    const openT = this.reconnects.close(rid + SEP + tid, t, key);
    if (openT !== null) r.windows.count(openT, 'reconnects', 1);
  }

  private addConnection(r: RestaurantState, gw: string, conn: string, tid: string, t: number, gaugeAt = t): Conn {
    const key = gw + SEP + conn;
    const c = new Conn(key, gw, conn, tid, t);
    r.connections.set(key, c);
    const term = this.terminal(r, tid, t);
    if (term.conns === 0) term.connectedSince = t;
    term.conns++;
    term.lastActivity = Math.max(term.lastActivity, t);
    r.windows.gauge(gaugeAt, 'connections', r.connections.size);
    return c;
  }

  private removeConnection(r: RestaurantState, key: string, t: number): void {
    const c = r.connections.get(key);
    if (c === undefined) return;
    r.connections.delete(key);
    const term = r.terminals.get(c.tid);
    if (term && term.conns > 0) term.conns--;
    r.windows.gauge(t, 'connections', r.connections.size);
  }

  private dropConnections(gw: string, t: number): void {
    for (const r of this.restaurants.values()) {
      for (const c of [...r.connections.values()]) if (c.gw === gw) this.removeConnection(r, c.key, t);
    }
  }

  private restaurant(rid: string): RestaurantState {
    let r = this.restaurants.get(rid);
    if (r === undefined) {
      r = new RestaurantState(rid);
      // A restaurant new to the hub is as late for a settled minute as any other.
      r.windows.markSettled(this.settledBefore());
      this.restaurants.set(rid, r);
    }
    return r;
  }

  private terminal(r: RestaurantState, tid: string, seen: number): Terminal {
    let term = r.terminals.get(tid);
    if (term === undefined) {
      term = new Terminal(tid, seen);
      r.terminals.set(tid, term);
    }
    return term;
  }

  // ---- time -----------------------------------------------------------------------------------

  /**
   * Credit [from, to) of terminal-time with the state the hub holds (a tick's worth). Health is
   * judged at `from`: a terminal silent since t is healthy until t + 20 s, not a tick less.
   */
  private integrate(r: RestaurantState, from: number, to: number): void {
    let connected = 0;
    let healthy = 0;
    let expected = 0;
    const horizon = to - this.expectedWindowMs;
    for (const t of r.terminals.values()) {
      if (t.conns > 0) {
        connected++;
        if (healthOf(t.lastActivity, from) === 'healthy') healthy++;
        this.countDueBeats(r, t, from, to);
      }
      if (t.conns > 0 || t.lastSeen >= horizon) expected++;
    }
    const w = r.windows;
    if (connected > 0) {
      // Whatever minutes this tick credits connected time to (a tick may span a minute's end).
      w.declare(from, 'hbExpected');
      w.declare(to - 1, 'hbExpected');
    }
    w.credit(from, to, 'connectedMs', connected);
    w.credit(from, to, 'healthyMs', healthy);
    w.credit(from, to, 'expectedMs', expected);
    w.gauge(to, 'expected', expected);
  }

  /**
   * DESIGN.md: one heartbeat expected per interval per connected terminal, on time within the
   * interval plus grace. Interval k of a terminal watched since `base` runs out at
   * base + k·interval + grace; each one that ran out in (from, to] is one expected heartbeat, filed
   * at that moment. An interval still running is not expected yet — counting it as missed made
   * every restaurant read unhealthy for the first 15–20 s after a hub start or a terminal's open.
   * Over a whole window the count is the same as connected time ÷ interval.
   */
  private countDueBeats(r: RestaurantState, t: Terminal, from: number, to: number): void {
    const base = Math.max(t.connectedSince, this.watchingSince ?? to);
    const interval = this.heartbeatIntervalMs;
    const grace = this.heartbeatGraceMs;
    const due = (x: number) => Math.max(0, Math.floor((x - base - grace) / interval));
    const last = due(to);
    // After a long gap between ticks only the last hour can still be written (as in `credit`).
    for (let k = Math.max(due(from), due(to - 3_600_000)) + 1; k <= last; k++) r.windows.count(base + k * interval + grace, 'hbExpected', 1);
  }

  private prune(now: number): void {
    this.lastPrune = now;
    this.reconnects.prune(now);
    for (const [key, t] of this.recentlyClosed) if (t < now - RECENTLY_CLOSED_MS) this.recentlyClosed.delete(key);
    const horizon = now - this.expectedWindowMs;
    for (const [rid, r] of this.restaurants) {
      for (const [tid, t] of r.terminals) if (t.conns === 0 && t.lastSeen < horizon) r.terminals.delete(tid);
      // Forgotten only when nothing is expected, connected or still to be rolled up.
      if (r.terminals.size === 0 && r.connections.size === 0 && !r.windows.hasOpenMinutes) this.restaurants.delete(rid);
    }
  }
}

/** The figures of one restaurant at `now` (see figures.ts for what each one means). */
export function figuresOf(r: RestaurantState, now: number, expectedWindowMs = 7 * 24 * 3_600_000): RestaurantFigures {
  let connectedTerminals = 0;
  let expected = 0;
  const terminals = { healthy: 0, degraded: 0, unhealthy: 0 };
  const horizon = now - expectedWindowMs;
  for (const t of r.terminals.values()) {
    if (t.conns > 0) {
      connectedTerminals++;
      terminals[healthOf(t.lastActivity, now)]++;
    }
    if (t.conns > 0 || t.lastSeen >= horizon) expected++;
  }
  const openSince: number[] = [];
  for (const c of r.connections.values()) openSince.push(c.since);
  return computeFigures({ rid: r.rid, now, view: r.windows.view(now), connections: r.connections.size, connectedTerminals, expected, terminals, openSince });
}
