/**
 * Raw connection events (the open ingest, src/protocol/ingest.ts) → the probe events the core
 * aggregator folds (src/protocol/probe-events.ts). What the reference gateway works out itself as
 * it serves a connection — whether a heartbeat was on time, a close's cause, a connection's
 * duration — a probe in another language does not have to: this does it, per gateway run, from
 * the events in order. So every way in yields the same figures by the same rules.
 *
 *   const folder = new RawEventFolder({ gw: 'gw-eu-1', run, heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 });
 *   const refusal = folder.apply(event, (probeEvent) => aggregator.add(probeEvent));
 *
 * Decisions:
 * - A connection is known from its `open`. An event of a connection never opened cannot be put in
 *   a restaurant: it is refused (`UNKNOWN_CONNECTION`), never guessed. A probe that reconnects to a
 *   hub re-announces its open connections (`open` with `resumed`), so a restarted hub knows them
 *   again without counting them as opens.
 * - Connection ids are the probe's own; they are made unique fleet-wide as `gw/run/conn`, so two
 *   probes that both number their connections 1, 2, 3 do not collide.
 * - On time = within the interval plus grace since the previous ping (or the open), as the
 *   reference gateway judges it (src/server/gateway/terminal-connection.ts).
 * - RTT is what the terminal reports with its ping (DESIGN.md), and nothing else: a round trip a
 *   probe measured itself (`pong.rtt`: a proxy measures only its own leg to the gateway) is a
 *   different figure, and mixed in it pulled a restaurant's p50 from 12 to 11 ms (the proxy
 *   reconciliation test). A `pong` is valid and counted; it adds no sample. A ping's `rtt` is
 *   judged by the gateway's rule (src/core/rtt-plausible.ts) against `heartbeatIntervalMs`; one
 *   beyond it, like a ping's `implausibleRtt` (a report the probe found could not be real), adds
 *   no sample either and is passed on, for the terminal's diagnosis — the heartbeat still counts.
 * - A 1008 after a rate-limit hit is `rate_limited`; otherwise the cause is the close code's.
 * - An `auth_fail` names no restaurant: its `claimedRid`/`claimedTid` (or an old probe's
 *   `rid`/`tid`) become the probe event's claims, labels only (src/protocol/probe-events.ts).
 */
import { causeOfClose, type CloseCause } from '../protocol/close-codes.ts';
import { PulseError } from '../protocol/errors.ts';
import type { RawEvent } from '../protocol/ingest.ts';
import type { LimitKind, ProbeEvent, ProbeEventOf } from '../protocol/probe-events.ts';
import { judgeRtt } from './rtt-plausible.ts';

export interface RawEventFolderOptions {
  gw: string;
  run: number;
  heartbeatIntervalMs: number;
  heartbeatGraceMs: number;
}

type Conn = { key: string; rid: string; tid: string; openedAt: number; lastPingAt: number; limit: LimitKind | null };

export type Emit = (event: ProbeEvent) => void;

export class RawEventFolder {
  private readonly conns = new Map<string, Conn>();
  private readonly prefix: string;

  constructor(private readonly o: RawEventFolderOptions) {
    this.prefix = `${o.gw}/${o.run}/`;
  }

  /** Connections open as far as this folder knows. */
  get connections(): number {
    return this.conns.size;
  }

  /** Folds one event; returns the refusal when it cannot be folded (and then emits nothing). */
  apply(e: RawEvent, emit: Emit): PulseError | null {
    const gw = this.o.gw;
    if (e.type === 'auth_fail') {
      // Old probes send the claims as `rid`/`tid`: they are claims all the same, never a restaurant.
      const out: ProbeEvent = { type: 'auth_fail', gw, t: e.t, reason: e.reason };
      const claimedRid = e.claimedRid ?? e.rid;
      const claimedTid = e.claimedTid ?? e.tid;
      if (claimedRid !== undefined) out.claimedRid = claimedRid;
      if (claimedTid !== undefined) out.claimedTid = claimedTid;
      emit(out);
      return null;
    }
    if (e.type === 'open') return this.open(e, emit);
    const c = this.conns.get(e.conn);
    if (c === undefined) return new PulseError('UNKNOWN_CONNECTION', `${e.type} of connection ${e.conn.slice(0, 40)}, never opened`);
    const who = { gw, t: e.t, rid: c.rid, tid: c.tid, conn: c.key };
    switch (e.type) {
      case 'ping': {
        const gapMs = Math.max(0, e.t - c.lastPingAt);
        const onTime = gapMs <= this.o.heartbeatIntervalMs + this.o.heartbeatGraceMs;
        c.lastPingAt = Math.max(c.lastPingAt, e.t);
        const beat: ProbeEventOf<'heartbeat'> = { type: 'heartbeat', ...who, onTime, gapMs };
        // The gateway's rule, with the interval this folder judges on time by: a probe's `rtt`
        // within the ingest's 60 s may still be longer than the interval (rtt-plausible.ts).
        const judged = judgeRtt(e.rtt, this.o.heartbeatIntervalMs);
        if (judged.rtt !== undefined) beat.rtt = judged.rtt;
        else if (judged.implausibleRtt !== undefined) beat.implausibleRtt = judged.implausibleRtt;
        else if (e.implausibleRtt !== undefined) beat.implausibleRtt = e.implausibleRtt;
        emit(beat);
        return null;
      }
      case 'pong':
        return null;
      case 'ack':
        emit({ type: 'ack', ...who, seq: e.seq, latencyMs: e.latency });
        return null;
      case 'limit':
        c.limit = e.kind;
        emit({ type: 'limit', ...who, kind: e.kind, detail: e.detail ?? e.kind });
        return null;
      case 'traffic':
        if (e.msgIn || e.bytesIn) emit({ type: 'traffic', ...who, dir: 'in', bytes: e.bytesIn ?? 0, messages: e.msgIn ?? 0 });
        if (e.msgOut || e.bytesOut) emit({ type: 'traffic', ...who, dir: 'out', bytes: e.bytesOut ?? 0, messages: e.msgOut ?? 0 });
        return null;
      case 'close': {
        this.conns.delete(e.conn);
        const byServer = e.by === 'gateway';
        const cause: CloseCause = e.code === 1008 && c.limit === 'rate' ? 'rate_limited' : causeOfClose(e.code, byServer);
        emit({ type: 'close', ...who, code: e.code, cause, reason: e.reason ?? '', byServer, durationMs: Math.max(0, e.t - c.openedAt) });
        return null;
      }
    }
  }

  /** Every connection still open, at `t` (a probe that went away: its terminals are not shown as connected). */
  openConnections(): readonly { conn: string; rid: string; tid: string }[] {
    return [...this.conns.entries()].map(([conn, c]) => ({ conn, rid: c.rid, tid: c.tid }));
  }

  private open(e: Extract<RawEvent, { type: 'open' }>, emit: Emit): PulseError | null {
    const known = this.conns.get(e.conn);
    if (known !== undefined) {
      if (e.resumed) return null;
      return new PulseError('INVALID_MESSAGE', `connection ${e.conn.slice(0, 40)} is already open`);
    }
    this.conns.set(e.conn, { key: this.prefix + e.conn, rid: e.rid, tid: e.tid, openedAt: e.t, lastPingAt: e.t, limit: null });
    // A re-announced connection is adopted by its next heartbeat (the aggregator adopts one it never
    // saw open); counting it as an open would count the same connection twice.
    if (!e.resumed) {
      const { heartbeatIntervalMs, heartbeatGraceMs } = this.o;
      emit({ type: 'open', gw: this.o.gw, t: e.t, rid: e.rid, tid: e.tid, conn: this.prefix + e.conn, via: e.via, heartbeatIntervalMs, heartbeatGraceMs });
    }
    return null;
  }

}
