/**
 * The fleet as it stood at an instant `t`, rebuilt from what the store keeps: lifecycle events (one
 * by one) and restaurant-minutes (rollups). Pure: the caller reads the store and passes the data.
 *
 *   const replay = new FleetReplay({ events, minutes }, t);   // every event at or before t applied
 *   replay.restaurants()                                       // each restaurant at t
 *   replay.advanceTo(t2)                                       // applies (t, t2] only: playback steps
 *
 * Connections come from the live path's own registry (connection-registry.ts), fed the stored
 * events as the hub fed them — muted, since replay writes no minutes — so "who was connected, since
 * when" is exact to the event. What the store keeps only per minute is read from the minute holding
 * `t` (figures.ts `minuteFigures`): rates, heartbeat success, percentiles. A restaurant's status is
 * the live rule (`statusOf`) over: terminals connected and expected at `t` exactly, errors of the 60
 * whole seconds before `t` (closes are events: exact) and each connected terminal's silence
 * (silences.ts) — without the heartbeat share, which the store keeps per minute only (the minute
 * holding `t` includes what came after `t`). See docs/architecture.md, "Replay".
 */
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { errorTypeOfCause } from '../../protocol/telemetry.ts';
import { census, ConnectionRegistry, type RestaurantState } from '../connection-registry.ts';
import { minuteFigures, statusOf, type MinuteFigures, type RestaurantStatus } from '../figures.ts';
import { EXPECTED_WINDOW_MS } from '../fleet-readouts.ts';
import { WINDOW_MS } from '../fleet-state-window.ts';
import type { Health } from '../health.ts';
import type { RestaurantMinute } from '../rollup.ts';
import { terminalKey } from '../terminal-key.ts';
import { healthier, Silences } from './silences.ts';

const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

export interface ReplayInput {
  /** Lifecycle events of the window, as the store reads them (by `t`; sorted here again, stably). */
  events: readonly LifecycleEvent[];
  /** Restaurant-minutes of the window. */
  minutes: readonly RestaurantMinute[];
  /** Terminals seen within this long are expected (DESIGN.md: 7 days). */
  expectedWindowMs?: number;
}

export interface ReplayTerminal {
  tid: string;
  connected: boolean;
  /** Connected: since its open connections went from none to one. Not: since its last close (null if none stored). */
  since: number | null;
  /** 'offline' when it has no open connection. */
  health: Health | 'offline';
  connections: { gw: string; conn: string; since: number }[];
}

export interface ReplayRestaurant {
  rid: string;
  at: number;
  status: RestaurantStatus;
  connections: number;
  connectedTerminals: number;
  expected: number;
  terminals: { healthy: number; degraded: number; unhealthy: number };
  /** Error closes in the 60 whole seconds before `at` (the live window), from the events. */
  errorsLastMinute: number;
  /** The stored minute holding `at`; null when the store has none (nothing rolled up yet, or a hub gap). */
  minute: MinuteFigures | null;
}

export class FleetReplay {
  private readonly events: LifecycleEvent[];
  private readonly minutes = new Map<number, Map<string, RestaurantMinute>>();
  private readonly silences: Silences;
  private readonly expectedWindowMs: number;
  private registry!: ConnectionRegistry;
  /** Times of error closes applied so far, per restaurant, oldest first. */
  private errorTimes!: Map<string, number[]>;
  /** Last close applied, per terminal (rid, tid). */
  private lastClose!: Map<string, number>;
  private next = 0;
  private cursor = -Infinity;

  constructor(input: ReplayInput, at: number) {
    this.events = [...input.events].sort((a, b) => a.t - b.t);
    for (const m of input.minutes) {
      let byRid = this.minutes.get(m.minute);
      if (byRid === undefined) this.minutes.set(m.minute, (byRid = new Map()));
      byRid.set(m.rid, m);
    }
    this.silences = new Silences(this.events);
    this.expectedWindowMs = input.expectedWindowMs ?? EXPECTED_WINDOW_MS;
    this.rebuild(at);
  }

  /** The instant this state is at. */
  get at(): number {
    return this.cursor;
  }

  /**
   * Step forward to `t` (≥ `at`), applying only the events in (at, t]. Going back rebuilds from
   * the first event: the registry cannot un-apply one.
   */
  advanceTo(t: number): void {
    if (t < this.cursor) return this.rebuild(t);
    while (this.next < this.events.length && (this.events[this.next] as LifecycleEvent).t <= t) this.apply(this.events[this.next++] as LifecycleEvent);
    this.cursor = t;
  }

  restaurantIds(): string[] {
    const ids = new Set(this.registry.restaurants.keys());
    // A restaurant with no event yet is known at t from its minutes — but only from one before t's:
    // the minute holding t was rolled up afterwards and may hold what happened after t.
    const minute = floorTo(this.cursor, MINUTE_MS);
    const before = this.minutes.get(minute - MINUTE_MS);
    for (const rid of this.minutes.get(minute)?.keys() ?? []) if (before?.has(rid)) ids.add(rid);
    return [...ids].sort();
  }

  restaurants(): ReplayRestaurant[] {
    return this.restaurantIds().map((rid) => this.restaurant(rid) as ReplayRestaurant);
  }

  /** One restaurant at `at`; null when nothing of it is known by then. */
  restaurant(rid: string): ReplayRestaurant | null {
    const r = this.registry.restaurants.get(rid);
    const minuteStart = floorTo(this.cursor, MINUTE_MS);
    const stored = this.minutes.get(minuteStart)?.get(rid);
    if (r === undefined && !(stored !== undefined && this.minutes.get(minuteStart - MINUTE_MS)?.has(rid))) return null;
    const t = this.cursor;
    const health = { healthy: 0, degraded: 0, unhealthy: 0 };
    let connected = 0;
    let expected = 0;
    if (r !== undefined) {
      const c = census(r, t, t - this.expectedWindowMs, (term) => health[this.terminalHealth(r, term.tid)]++);
      connected = c.connected;
      expected = c.expected;
    }
    const minute = stored === undefined ? null : minuteFigures(stored);
    const errorsLastMinute = this.errorsBefore(rid, t);
    // Heartbeat share is left out of the status: the store has it per minute only, and the minute
    // holding t was rolled up afterwards — it would judge t by what came after. A silence still
    // shows, by the silent terminal's health.
    const status = statusOf({ expected, connectedTerminals: connected, heartbeatSuccess: null, terminals: health, errorsInWindow: errorsLastMinute });
    return { rid, at: t, status, connections: r?.connections.size ?? 0, connectedTerminals: connected, expected, terminals: health, errorsLastMinute, minute };
  }

  /** Its terminals connected or expected at `at`, each with its open connections. */
  terminals(rid: string): ReplayTerminal[] {
    const r = this.registry.restaurants.get(rid);
    if (r === undefined) return [];
    const t = this.cursor;
    const out: ReplayTerminal[] = [];
    for (const term of r.terminals.values()) {
      if (term.conns === 0 && term.lastSeen < t - this.expectedWindowMs) continue;
      const connected = term.conns > 0;
      const connections = [...r.connections.values()].filter((c) => c.tid === term.tid).map((c) => ({ gw: c.gw, conn: c.conn, since: c.since }));
      out.push({
        tid: term.tid,
        connected,
        since: connected ? term.connectedSince : (this.lastClose.get(terminalKey(rid, term.tid)) ?? null),
        health: connected ? this.terminalHealth(r, term.tid) : 'offline',
        connections,
      });
    }
    return out.sort((a, b) => (a.tid < b.tid ? -1 : a.tid > b.tid ? 1 : 0));
  }

  private rebuild(at: number): void {
    // Muted: the registry keeps who is connected and writes no minute (the store has them).
    this.registry = new ConnectionRegistry();
    this.registry.muted = true;
    this.errorTimes = new Map();
    this.lastClose = new Map();
    this.next = 0;
    this.cursor = -Infinity;
    this.advanceTo(at);
  }

  private apply(e: LifecycleEvent): void {
    switch (e.type) {
      case 'open':
        this.registry.open(e.gw, e.rid, e.tid, e.conn, e.t);
        break;
      case 'close': {
        this.registry.close(e.gw, e.rid, e.tid, e.conn, e.t);
        this.lastClose.set(terminalKey(e.rid, e.tid), e.t);
        if (errorTypeOfCause(e.cause) !== null) {
          const list = this.errorTimes.get(e.rid) ?? [];
          list.push(e.t);
          this.errorTimes.set(e.rid, list);
        }
        break;
      }
      case 'heartbeat_late': {
        // A sign of life, as the beat was live (it may adopt a connection whose open is older than the window).
        const r = this.registry.restaurant(e.rid);
        this.registry.beat(e.gw, r, { tid: e.tid, conn: e.conn, t: e.t, onTime: false, ...(e.rtt === undefined ? {} : { rtt: e.rtt }) });
        break;
      }
      default:
        break; // auth_fail belongs to no restaurant; limits are counted in the minutes
    }
  }

  /** A connected terminal is as healthy as its best open connection. */
  private terminalHealth(r: RestaurantState, tid: string): Health {
    let best: Health = 'unhealthy';
    for (const c of r.connections.values()) if (c.tid === tid) best = healthier(best, this.silences.healthAt(c.gw, c.conn, this.cursor));
    return best;
  }

  /** Error closes in [s − 60 s, s), s the start of `t`'s second: the live view's window. */
  private errorsBefore(rid: string, t: number): number {
    const list = this.errorTimes.get(rid);
    if (list === undefined) return 0;
    const end = floorTo(t, SECOND_MS);
    const start = end - WINDOW_MS;
    // Playback only moves forward between rebuilds: what left the window never comes back.
    while (list.length > 0 && (list[0] as number) < start) list.shift();
    let n = 0;
    for (const x of list) if (x < end) n++;
    return n;
  }
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
