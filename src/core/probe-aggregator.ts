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
 * - `hbOnTime` counts heartbeat intervals answered, filed as each runs out
 *   (probe-heartbeat-windows.ts), when the connection's open said its interval; otherwise the
 *   pings the gateway judged on time.
 * - A late heartbeat is counted (`hbLate`) and also sent raw in `lifecycle` as `heartbeat_late`;
 *   on-time ones are only counted, so raw records grow with problems, not with heartbeats. A ping
 *   whose reported RTT could not be real (`implausibleRtt`) is no RTT sample and is sent raw as
 *   `rtt_implausible`, one record per connection-second (rtt-implausible-record.ts).
 *
 * Speed: heartbeats and traffic are the bulk (≥ 1,000,000 events/s per core is the target). Their
 * path is one Map lookup, a few counter increments and at most one sample appended to arrays
 * that live as long as the restaurant or connection — no allocation. Samples become histograms
 * when their second is sealed (probe-aggregator-seal.ts). The state they live in:
 * probe-aggregator-state.ts.
 */
import type { ProbeEvent, ProbeEventOf } from '../protocol/probe-events.ts';
import type { LifecycleEvent, RestaurantSecond, TelemetryFrame } from '../protocol/telemetry.ts';
import { errorTypeOfCause, lateHeartbeatOf, TELEMETRY_VERSION } from '../protocol/telemetry.ts';
import { createSealer } from './probe-aggregator-seal.ts';
import { Acc, Conn, secondOf } from './probe-aggregator-state.ts';
import { answerInterval } from './probe-heartbeat-windows.ts';
import { ReconnectTracker } from './reconnect.ts';
import { recordImplausibleRtt } from './rtt-implausible-record.ts';
import { terminalKey } from './terminal-key.ts';

export interface AggregatorOptions {
  gatewayId: string;
  /** This gateway incarnation (ms since epoch of its start); frames carry it so seq may restart. */
  run: number;
  /**
   * Up to when a flush files heartbeat intervals that ran out (probe-heartbeat-windows.ts): `clock` (default) —
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
  const seal = createSealer();

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

  function file(c: Conn): void {
    at(c.acc, c.dueAt).hbOnTime++;
    c.dueAt = 0;
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
        // Intervals answered when the open said which (probe-heartbeat-windows.ts); else as the gateway judged each ping.
        if (c.intervalMs > 0) answerInterval(c, e.t, file);
        else if (e.onTime) acc.hbOnTime++;
        if (!e.onTime) {
          acc.hbLate++;
          // Late ones also travel raw, so a terminal's timeline can place each (telemetry.ts).
          lifecycle.push(lateHeartbeatOf(e)!);
        }
        if (e.rtt !== undefined) acc.rtt.add(e.rtt);
        if (e.implausibleRtt !== undefined) recordImplausibleRtt(c, e, e.implausibleRtt, lifecycle);
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
