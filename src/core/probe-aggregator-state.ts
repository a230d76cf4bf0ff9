/**
 * What the probe aggregator (probe-aggregator.ts) keeps between events: one accumulator per
 * restaurant, reused second after second, and one record per open connection. Plain classes with
 * fixed fields, so the hot path (heartbeats, traffic) increments counters on objects that already
 * exist and allocates nothing.
 */
import type { LifecycleEvent, RestaurantSecond, RttImplausibleEvent } from '../protocol/telemetry.ts';

export const secondOf = (t: number): number => Math.floor(t / 1000) * 1000;

/** Values of one kind within one restaurant-second. */
export class Samples {
  values: number[] = [];
  count = 0;

  add(v: number): void {
    this.values[this.count++] = v;
  }
}

/** Per restaurant accumulator; reused second after second. */
export class Acc {
  readonly rid: string;
  /** Start of the second being accumulated (ms); meaningful only while `active`. */
  s = 0;
  active = false;
  opens = 0;
  reconnects = 0;
  hbOnTime = 0;
  hbLate = 0;
  msgIn = 0;
  msgOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  // Lifecycle is rare: these maps are allocated per sealed second only when something happened.
  closes: Record<string, number> | null = null;
  limits: RestaurantSecond['limits'] | null = null;
  errors: RestaurantSecond['errors'] | null = null;
  /** Open connections of this restaurant on this gateway, and its extremes within the second. */
  conns = 0;
  connsMin = 0;
  connsMax = 0;
  /**
   * The second's samples (ms), each in a plain array with its own count so it never shrinks; they
   * go into the aggregator's one histogram per kind when the second is sealed. A histogram per
   * restaurant kept ~6 KB of counts alive per restaurant (0.6 KB per connection at 10 terminals a
   * restaurant, measured by bench:gateway) to hold the one or two RTTs a restaurant-second has.
   */
  rtt = new Samples();
  latency = new Samples();
  duration = new Samples();
  /** Connections that beat this second; a plain array with its own length so it never shrinks. */
  beats: Conn[] = [];
  beatCount = 0;

  constructor(rid: string) {
    this.rid = rid;
  }
}

/** Per connection state: what the live view needs of its last heartbeat, and its intervals. */
export class Conn {
  readonly conn: string;
  readonly tid: string;
  readonly acc: Acc;
  lastBeatT = 0;
  rtt = -1;
  onTime = true;
  beatListed = false;
  /** When it opened, and the heartbeat it was asked for; interval 0 = unknown (adopted). */
  openedAt = 0;
  intervalMs = 0;
  graceMs = 0;
  /** The last heartbeat interval a ping answered (1, 2, …), and when it runs out (0: none pending). */
  answered = 0;
  dueAt = 0;
  /** Its latest `rtt_implausible` record, and the frame's lifecycle list it went into. */
  implausible: RttImplausibleEvent | null = null;
  implausibleIn: LifecycleEvent[] | null = null;

  constructor(conn: string, tid: string, acc: Acc) {
    this.conn = conn;
    this.tid = tid;
    this.acc = acc;
  }
}
