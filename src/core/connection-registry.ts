/**
 * Which terminals each restaurant has and which of their connections are open, fed by the raw
 * lifecycle events and the frames' beats. Pure: every call carries its time.
 *
 * A restaurant's terminals may be spread over gateways, so only the hub can count a terminal that
 * left gateway A and came back through gateway B (once: see reconnect.ts); the frames' own
 * `reconnects` and `conns` are per gateway and not used. A connection is keyed by gateway and
 * connection id. Each connection keeps its last heartbeat and RTT (from the beats); each terminal
 * when it was last seen (expected terminals) and last active (its health).
 */
import type { RestaurantSecond } from '../protocol/telemetry.ts';
import { RestaurantWindows } from './fleet-state-window.ts';
import { healthOf } from './health.ts';
import { ReconnectTracker } from './reconnect.ts';
import { terminalKey } from './terminal-key.ts';

export class Conn {
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

export class Terminal {
  readonly tid: string;
  lastSeen: number;
  /** Open connections of this terminal. */
  conns = 0;
  /** Latest open or heartbeat: what its health is measured from. */
  lastActivity = -Infinity;
  /** When its open connections went from none to one: its heartbeat intervals start there. */
  connectedSince = -Infinity;
  /**
   * Its latest heartbeat and the latest RTT it reported, over all its connections: kept after they
   * close, so a disconnected terminal still shows them (null means none yet, docs/api.md).
   */
  lastBeatT: number | null = null;
  lastRtt: number | null = null;
  constructor(tid: string, lastSeen: number) {
    this.tid = tid;
    this.lastSeen = lastSeen;
  }
}

/** One restaurant's live state; `figuresOf(restaurant, now)` (fleet-readouts.ts) reads it. */
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

export type Beat = RestaurantSecond['beats'][number];

/** Terminals of a restaurant counted at one moment: what read-outs and terminal-time both need. */
export interface Census {
  connected: number;
  expected: number;
  health: { healthy: number; degraded: number; unhealthy: number };
}

/**
 * Counts `r`'s terminals: connected ones by their health at `healthAt`, and expected ones (connected,
 * or seen at or after `horizon`). `onConnected` sees each connected terminal (terminal-time counts
 * its due heartbeats there, in the same pass).
 */
export function census(r: RestaurantState, healthAt: number, horizon: number, onConnected?: (t: Terminal) => void): Census {
  const out: Census = { connected: 0, expected: 0, health: { healthy: 0, degraded: 0, unhealthy: 0 } };
  for (const t of r.terminals.values()) {
    if (t.conns > 0) {
      out.connected++;
      out.health[healthOf(t.lastActivity, healthAt)]++;
      onConnected?.(t);
    }
    if (t.conns > 0 || t.lastSeen >= horizon) out.expected++;
  }
  return out;
}

const SEP = '\u0000';
const RECENTLY_CLOSED_MS = 60_000;

export class ConnectionRegistry {
  readonly restaurants = new Map<string, RestaurantState>();
  /** Reconnects across gateways, keyed by restaurant and terminal. */
  private readonly reconnects = new ReconnectTracker();
  /** Connections closed lately, so a late beat cannot bring one back to life. */
  private readonly recentlyClosed = new Map<string, number>();
  /**
   * While set, the registry rebuilds who is connected without writing to any restaurant's minutes
   * (no reconnect counted, the gauge only held): replaying what a clean stop already wrote.
   */
  muted = false;

  /** `onNew` prepares a restaurant first heard of (its minutes already written are settled). */
  constructor(private readonly onNew: (r: RestaurantState) => void = () => {}) {}

  restaurant(rid: string): RestaurantState {
    let r = this.restaurants.get(rid);
    if (r === undefined) {
      r = new RestaurantState(rid);
      this.onNew(r);
      this.restaurants.set(rid, r);
    }
    return r;
  }

  /** Applies a beat; true when it adopted a connection the registry did not hold open. */
  beat(gw: string, r: RestaurantState, b: Beat): boolean {
    const key = gw + SEP + b.conn;
    let c = r.connections.get(key);
    let adopted = false;
    if (c === undefined) {
      // A connection the hub never saw open (it started later, or the open frame was lost) is
      // open all the same — unless it closed lately and this beat is older news.
      if (this.recentlyClosed.has(key)) return false;
      c = this.add(r, gw, b.conn, b.tid, b.t);
      adopted = true;
    }
    if (c.lastBeatT === null || b.t >= c.lastBeatT) {
      c.lastBeatT = b.t;
      if (b.rtt !== undefined) c.lastRtt = b.rtt;
    }
    const term = this.terminal(r, b.tid, b.t);
    term.lastSeen = Math.max(term.lastSeen, b.t);
    term.lastActivity = Math.max(term.lastActivity, b.t);
    if (term.lastBeatT === null || b.t >= term.lastBeatT) {
      term.lastBeatT = b.t;
      if (b.rtt !== undefined) term.lastRtt = b.rtt;
    }
    return adopted;
  }

  open(gw: string, rid: string, tid: string, conn: string, t: number): void {
    const r = this.restaurant(rid);
    const key = gw + SEP + conn;
    const existing = r.connections.get(key);
    if (existing) existing.since = Math.min(existing.since, t); // adopted from a beat earlier in this frame
    else this.add(r, gw, conn, tid, t);
    const term = this.terminal(r, tid, t);
    term.lastSeen = Math.max(term.lastSeen, t);
    if (this.reconnects.open(terminalKey(rid, tid), t, key) && !this.muted) r.windows.count(t, 'reconnects', 1);
  }

  close(gw: string, rid: string, tid: string, conn: string, t: number): void {
    const r = this.restaurant(rid);
    const key = gw + SEP + conn;
    this.remove(r, key, t);
    this.recentlyClosed.set(key, t);
    const term = this.terminal(r, tid, t);
    term.lastSeen = Math.max(term.lastSeen, t);
    const openT = this.reconnects.close(terminalKey(rid, tid), t, key);
    if (openT !== null && !this.muted) r.windows.count(openT, 'reconnects', 1);
  }

  /**
   * A connection open before a restart, with its open time: open again, counted neither as an open
   * nor as a reconnect (that happened before). The gauge moves at `gaugeAt`, where minutes can
   * still be written. False when it was open already.
   */
  seedOpen(o: { gw: string; rid: string; tid: string; conn: string; t: number }, gaugeAt: number): boolean {
    const r = this.restaurant(o.rid);
    const key = o.gw + SEP + o.conn;
    if (r.connections.has(key)) return false;
    this.add(r, o.gw, o.conn, o.tid, o.t, gaugeAt);
    const term = this.terminal(r, o.tid, o.t);
    term.lastSeen = Math.max(term.lastSeen, o.t);
    this.reconnects.seedOpen(terminalKey(o.rid, o.tid), key);
    return true;
  }

  /** A terminal the store knows: seen at `lastSeen` (expected), last closed at `lastClose` (reconnects). */
  seedTerminal(s: { rid: string; tid: string; lastSeen: number; lastClose?: number }): void {
    const t = this.terminal(this.restaurant(s.rid), s.tid, s.lastSeen);
    t.lastSeen = Math.max(t.lastSeen, s.lastSeen);
    if (s.lastClose !== undefined) this.reconnects.remember(terminalKey(s.rid, s.tid), s.lastClose);
  }

  /** A gateway died, stopped or restarted at `t`: its connections are closed with it; returns them. */
  dropGateway(gw: string, t: number): { rid: string; conn: Conn }[] {
    const dropped: { rid: string; conn: Conn }[] = [];
    for (const r of this.restaurants.values()) {
      for (const c of [...r.connections.values()]) {
        if (c.gw !== gw) continue;
        this.remove(r, c.key, t);
        dropped.push({ rid: r.rid, conn: c });
      }
    }
    return dropped;
  }

  /**
   * Forgets what no figure needs any more: terminals neither connected nor seen since `horizon`,
   * and restaurants with nothing expected, connected or still to be rolled up.
   */
  prune(now: number, horizon: number): void {
    this.reconnects.prune(now);
    for (const [key, t] of this.recentlyClosed) if (t < now - RECENTLY_CLOSED_MS) this.recentlyClosed.delete(key);
    for (const [rid, r] of this.restaurants) {
      for (const [tid, t] of r.terminals) if (t.conns === 0 && t.lastSeen < horizon) r.terminals.delete(tid);
      if (r.terminals.size === 0 && r.connections.size === 0 && !r.windows.hasOpenMinutes) this.restaurants.delete(rid);
    }
  }

  private add(r: RestaurantState, gw: string, conn: string, tid: string, t: number, gaugeAt = t): Conn {
    const key = gw + SEP + conn;
    const c = new Conn(key, gw, conn, tid, t);
    r.connections.set(key, c);
    const term = this.terminal(r, tid, t);
    if (term.conns === 0) term.connectedSince = t;
    term.conns++;
    term.lastActivity = Math.max(term.lastActivity, t);
    this.gauge(r, gaugeAt);
    return c;
  }

  private remove(r: RestaurantState, key: string, t: number): void {
    const c = r.connections.get(key);
    if (c === undefined) return;
    r.connections.delete(key);
    const term = r.terminals.get(c.tid);
    if (term && term.conns > 0) term.conns--;
    this.gauge(r, t);
  }

  private gauge(r: RestaurantState, t: number): void {
    if (this.muted) r.windows.hold('connections', r.connections.size);
    else r.windows.gauge(t, 'connections', r.connections.size);
  }

  private terminal(r: RestaurantState, tid: string, seen: number): Terminal {
    let term = r.terminals.get(tid);
    if (term === undefined) {
      term = new Terminal(tid, seen);
      r.terminals.set(tid, term);
    }
    return term;
  }
}
