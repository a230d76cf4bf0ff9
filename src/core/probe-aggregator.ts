/**
 * The gateway side of the probe: folds probe events into per-restaurant, per-second counters and
 * histograms, and hands out one `TelemetryFrame` per flush (see src/protocol/telemetry.ts).
 *
 *   const agg = createAggregator({ gatewayId: 'gw-1', run: Date.now() });
 *   probe sink:  agg.add(event)                  // hot path, synchronous, allocation-free for beats
 *   every 1 s:   bus.publish(agg.flush(now))
 *
 * Decisions:
 * - `flush` always returns a frame, empty or not, and `seq` increments on every flush. An empty
 *   frame costs ~100 bytes a second and tells the hub the gateway is alive: a silent gateway and
 *   an idle one must not look alike, or the fleet view goes stale without saying so.
 * - Events land in the second of their own time `t` (gateway clock). A restaurant-second is sealed
 *   when that restaurant's next event falls in a later second, or at flush. A flush that falls
 *   inside a second therefore splits it over two frames; consumers add the parts up.
 * - An event older than the restaurant's open second (clock step backwards) counts in the open one.
 * - The aggregator must see every event from the gateway's start; a heartbeat or close of a
 *   connection it never saw open adopts the connection rather than dropping the event.
 *
 * - A refused token (`auth_fail`) never touches a restaurant: it is sent raw in `lifecycle` only.
 * - `hbOnTime` counts heartbeat intervals answered, filed as each runs out (see `answer`), when
 *   the connection's open said its interval; otherwise the pings the gateway judged on time.
 * - A late heartbeat is counted (`hbLate`) and also sent raw in `lifecycle` as `heartbeat_late`;
 *   on-time ones are only counted, so raw records grow with problems, not with heartbeats. A ping
 *   whose reported RTT could not be real (`implausibleRtt`) is no RTT sample and is sent raw as
 *   `rtt_implausible`, one record per connection-second.
 *
 * Speed: heartbeats and traffic are the bulk (≥ 1,000,000 events/s per core is the target). Their
 * path is one Map lookup, a few counter increments and at most one sample appended to arrays
 * that live as long as the restaurant or connection — no allocation. Samples become histograms
 * when their second is sealed.
 */
import type { ProbeEvent, ProbeEventOf } from '../protocol/probe-events.ts';
import type { Beat, LifecycleEvent, RestaurantSecond, RttImplausibleEvent, TelemetryFrame } from '../protocol/telemetry.ts';
import { errorTypeOfCause, lateHeartbeatOf, TELEMETRY_VERSION } from '../protocol/telemetry.ts';
import { Histogram } from './histogram.ts';
import { ReconnectTracker } from './reconnect.ts';
import { terminalKey } from './terminal-key.ts';

export interface AggregatorOptions {
  gatewayId: string;
  /** This gateway incarnation (ms since epoch of its start); frames carry it so seq may restart. */
  run: number;
  /**
   * Up to when a flush files heartbeat intervals that ran out (see `answer`): `clock` (default) —
   * the flush's `now`, right when events are added as they happen (the reference gateway);
   * `events` — the latest event time seen, for events that arrive late in batches (the open
   * ingest): a close sent before an interval ran out but received after the flush would otherwise
   * find that interval filed as answered, where the probe's own order says it was not.
   */
  fileBy?: 'clock' | 'events';
}

export interface AggregatorStats {
  events: number;
  frames: number;
  /** Connections currently tracked (open as far as this gateway knows). */
  connections: number;
  restaurants: number;
}

export interface Aggregator {
  add(event: ProbeEvent): void;
  /** Everything since the previous flush, as the next frame of this gateway. */
  flush(now: number): TelemetryFrame;
  stats(): AggregatorStats;
}

/** Per restaurant accumulator; reused second after second. */
class Acc {
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

/** Values of one kind within one restaurant-second. */
class Samples {
  values: number[] = [];
  count = 0;

  add(v: number): void {
    this.values[this.count++] = v;
  }
}

/** Per connection state: what the live view needs of its last heartbeat, and its intervals. */
class Conn {
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

const secondOf = (t: number) => Math.floor(t / 1000) * 1000;

/**
 * The closes, limits and errors of a second without any: most seconds, so one frozen object for
 * all of them rather than three new ones per restaurant-second. Consumers only read these maps.
 */
const NONE: Readonly<Record<string, number>> = Object.freeze({});

export function createAggregator(options: AggregatorOptions): Aggregator {
  const restaurants = new Map<string, Acc>();
  const conns = new Map<string, Conn>();
  const reconnects = new ReconnectTracker();
  /** Restaurants with activity since they were last sealed, so a flush visits only those. */
  let active: Acc[] = [];
  let sealed: RestaurantSecond[] = [];
  let lifecycle: LifecycleEvent[] = [];
  let seq = 0;
  let events = 0;
  let frames = 0;
  let latestT = -Infinity;
  const byEvents = options.fileBy === 'events';

  // The probe reports a message as a few events in a row (traffic in, heartbeat, traffic out), all
  // of one restaurant: remembering the last one saves most Map lookups.
  let lastAcc: Acc | null = null;

  function restaurant(rid: string): Acc {
    if (lastAcc !== null && lastAcc.rid === rid) return lastAcc;
    let acc = restaurants.get(rid);
    if (acc === undefined) {
      acc = new Acc(rid);
      restaurants.set(rid, acc);
    }
    lastAcc = acc;
    return acc;
  }

  /** The restaurant's accumulator, open on the second of `t`. */
  function at(acc: Acc, t: number): Acc {
    const s = secondOf(t);
    if (!acc.active) {
      acc.active = true;
      acc.s = s;
      active.push(acc);
    } else if (s > acc.s) {
      sealed.push(seal(acc));
      acc.s = s;
    }
    return acc;
  }

  /** A connection we never saw open is open all the same: adopt it, gauge included. */
  function adopt(e: { conn: string; tid: string; rid: string; t: number }): Conn {
    const acc = at(restaurant(e.rid), e.t);
    const c = new Conn(e.conn, e.tid, acc);
    conns.set(e.conn, c);
    acc.conns++;
    if (acc.conns > acc.connsMax) acc.connsMax = acc.conns;
    return c;
  }

  function onOpen(e: ProbeEventOf<'open'>): void {
    const acc = at(restaurant(e.rid), e.t);
    acc.opens++;
    if (reconnects.open(terminalKey(e.rid, e.tid), e.t, e.conn)) acc.reconnects++;
    let c = conns.get(e.conn);
    if (c === undefined) {
      conns.set(e.conn, (c = new Conn(e.conn, e.tid, acc)));
      acc.conns++;
      if (acc.conns > acc.connsMax) acc.connsMax = acc.conns;
    }
    if (e.heartbeatIntervalMs !== undefined && c.answered === 0) {
      c.openedAt = e.t;
      c.intervalMs = e.heartbeatIntervalMs;
      c.graceMs = e.heartbeatGraceMs ?? 0;
    }
    lifecycle.push(e);
  }

  /**
   * A ping answers heartbeat interval k of its connection when it arrives in
   * (open + (k−1)·interval + grace, open + k·interval + grace] — the k-th window that, on the hub,
   * makes one heartbeat expected as it runs out (src/core/terminal-time.ts). At most one ping per
   * window counts: the ping a terminal sends at its open answers none (counting it made every
   * connection one on-time beat ahead, and a half-open terminal that missed 2 of 3 intervals read
   * 100 %). The answer is filed when its window runs out, where the hub files the expected beat, so
   * a minute's on-time and expected beats are the same intervals (filed at arrival, a ping just
   * before a minute's end and its interval just after split over two minutes: 75 % one, 125 % the
   * next). A window still running when its connection closes was never expected: not filed.
   */
  function answer(c: Conn, t: number): void {
    const k = Math.ceil((t - c.openedAt - c.graceMs) / c.intervalMs);
    if (k < 1 || k <= c.answered) return;
    // Window k begins as window k−1 runs out: a pending answer is due by now.
    if (c.dueAt > 0) file(c);
    c.answered = k;
    c.dueAt = c.openedAt + k * c.intervalMs + c.graceMs;
  }

  function file(c: Conn): void {
    at(c.acc, c.dueAt).hbOnTime++;
    c.dueAt = 0;
  }

  /**
   * A ping whose reported RTT could not be real travels raw, for the terminal's diagnosis; the
   * pings of one connection-second share one record (`count`), so a terminal sending nothing
   * else stays at most one record a second, like its beats.
   */
  function implausible(c: Conn, e: ProbeEventOf<'heartbeat'>, rtt: number): void {
    const last = c.implausible;
    if (last !== null && c.implausibleIn === lifecycle && secondOf(last.t) === secondOf(e.t) && e.t >= last.t) {
      last.count++;
      last.t = e.t;
      last.rtt = rtt;
      return;
    }
    const record: RttImplausibleEvent = { type: 'rtt_implausible', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, rtt, count: 1 };
    lifecycle.push(record);
    c.implausible = record;
    c.implausibleIn = lifecycle;
  }

  function onClose(e: ProbeEventOf<'close'>): void {
    const acc = at(restaurant(e.rid), e.t);
    const closes = (acc.closes ??= {});
    closes[e.code] = (closes[e.code] ?? 0) + 1;
    const type = errorTypeOfCause(e.cause);
    if (type !== null) {
      const errors = (acc.errors ??= {});
      errors[type] = (errors[type] ?? 0) + 1;
    }
    acc.duration.add(e.durationMs);
    if (reconnects.close(terminalKey(e.rid, e.tid), e.t, e.conn) !== null) acc.reconnects++;
    const c = conns.get(e.conn);
    if (c !== undefined && c.dueAt > 0 && c.dueAt <= e.t) file(c);
    if (conns.delete(e.conn)) {
      acc.conns--;
      if (acc.conns < acc.connsMin) acc.connsMin = acc.conns;
    }
    lifecycle.push(e);
  }

  function add(e: ProbeEvent): void {
    events++;
    if (e.t > latestT) latestT = e.t;
    switch (e.type) {
      case 'heartbeat': {
        const c = conns.get(e.conn) ?? adopt(e);
        const acc = at(c.acc, e.t);
        // Intervals answered when the open said which (see `answer`); else as the gateway judged each ping.
        if (c.intervalMs > 0) answer(c, e.t);
        else if (e.onTime) acc.hbOnTime++;
        if (!e.onTime) {
          acc.hbLate++;
          // Late ones also travel raw, so a terminal's timeline can place each (telemetry.ts).
          lifecycle.push(lateHeartbeatOf(e)!);
        }
        if (e.rtt !== undefined) acc.rtt.add(e.rtt);
        if (e.implausibleRtt !== undefined) implausible(c, e, e.implausibleRtt);
        c.lastBeatT = e.t;
        c.rtt = e.rtt ?? -1;
        c.onTime = e.onTime;
        if (!c.beatListed) {
          c.beatListed = true;
          acc.beats[acc.beatCount++] = c;
        }
        return;
      }
      case 'traffic': {
        const acc = at(restaurant(e.rid), e.t);
        if (e.dir === 'in') {
          acc.msgIn += e.messages ?? 1;
          acc.bytesIn += e.bytes;
        } else {
          acc.msgOut += e.messages ?? 1;
          acc.bytesOut += e.bytes;
        }
        return;
      }
      case 'ack':
        at(restaurant(e.rid), e.t).latency.add(e.latencyMs);
        return;
      case 'open':
        return onOpen(e);
      case 'close':
        return onClose(e);
      case 'limit': {
        const limits = (at(restaurant(e.rid), e.t).limits ??= {});
        limits[e.kind] = (limits[e.kind] ?? 0) + 1;
        lifecycle.push(e);
        return;
      }
      case 'auth_fail':
        // A refused token belongs to no restaurant, whatever it claims: counting it in the claimed
        // one let 200 forged tokens turn a healthy restaurant unhealthy, and a token per new rid
        // create a restaurant each. It travels in lifecycle only; the hub counts it fleet-wide.
        lifecycle.push(e);
        return;
    }
  }

  /** One histogram per kind, shared by every restaurant: filled from a second's samples, encoded, reset. */
  const histograms = { rtt: new Histogram(), latency: new Histogram(), duration: new Histogram() };

  function encodeAndReset(samples: Samples, h: Histogram): string | undefined {
    if (samples.count === 0) return undefined;
    for (let i = 0; i < samples.count; i++) h.record(samples.values[i] as number);
    samples.count = 0;
    const text = h.encode();
    h.reset();
    return text;
  }

  /** Turn the accumulated second into a frame entry and reset the accumulator for the next. */
  function seal(acc: Acc): RestaurantSecond {
    // Sized up front: a push onto `[]` reserves 17 slots for the one or two beats a second has.
    const beats: Beat[] = new Array<Beat>(acc.beatCount);
    for (let i = 0; i < acc.beatCount; i++) {
      const c = acc.beats[i] as Conn;
      beats[i] = c.rtt >= 0 ? { tid: c.tid, conn: c.conn, t: c.lastBeatT, rtt: c.rtt, onTime: c.onTime } : { tid: c.tid, conn: c.conn, t: c.lastBeatT, onTime: c.onTime };
      c.beatListed = false;
    }
    const second: RestaurantSecond = {
      rid: acc.rid,
      s: acc.s,
      opens: acc.opens,
      closes: acc.closes ?? NONE,
      reconnects: acc.reconnects,
      hbOnTime: acc.hbOnTime,
      hbLate: acc.hbLate,
      msgIn: acc.msgIn,
      msgOut: acc.msgOut,
      bytesIn: acc.bytesIn,
      bytesOut: acc.bytesOut,
      limits: acc.limits ?? NONE,
      errors: acc.errors ?? NONE,
      conns: { last: acc.conns, min: acc.connsMin, max: acc.connsMax },
      beats,
    };
    const rtt = encodeAndReset(acc.rtt, histograms.rtt);
    const latency = encodeAndReset(acc.latency, histograms.latency);
    const duration = encodeAndReset(acc.duration, histograms.duration);
    if (rtt !== undefined) second.rtt = rtt;
    if (latency !== undefined) second.latency = latency;
    if (duration !== undefined) second.duration = duration;

    acc.opens = acc.reconnects = acc.hbOnTime = acc.hbLate = 0;
    acc.msgIn = acc.msgOut = acc.bytesIn = acc.bytesOut = 0;
    acc.closes = acc.limits = acc.errors = null;
    acc.connsMin = acc.connsMax = acc.conns;
    acc.beatCount = 0;
    return second;
  }

  function flush(now: number): TelemetryFrame {
    // Answers whose interval ran out by now go in that moment's second (one pass over connections a second).
    const upTo = byEvents ? Math.min(now, latestT) : now;
    for (const c of conns.values()) if (c.dueAt > 0 && c.dueAt <= upTo) file(c);
    for (const acc of active) {
      sealed.push(seal(acc));
      acc.active = false;
    }
    const frame: TelemetryFrame = {
      v: TELEMETRY_VERSION,
      gw: options.gatewayId,
      run: options.run,
      seq: ++seq,
      t: now,
      seconds: sealed,
      lifecycle,
    };
    active = [];
    sealed = [];
    lifecycle = [];
    frames++;
    // Forgetting old closes keeps the tracker in proportion to recent terminals, not all ever seen.
    if (frames % 60 === 0) reconnects.prune(now);
    return frame;
  }

  return {
    add,
    flush,
    stats: () => ({ events, frames, connections: conns.size, restaurants: restaurants.size }),
  };
}
