/**
 * What `pulse proxy` sees of each terminal connection, as raw ingest events (src/protocol/ingest.ts):
 * the proxy's `ProxyObserver`. It reads the POS message shape where frames follow it — `ping`
 * (with the terminal's `rtt`), `pong` (round trip measured here), `order` updates and their `ack`s
 * by `seq` — and counts everything else as traffic.
 *
 * Who the terminal is comes from its token's claims: verified when the proxy has the secret;
 * otherwise read unverified, marked so, and the gateway's verdict decides. The rule, the same the
 * simulator's ground truth follows against a gateway without a welcome message: a connection the
 * gateway closes with 4001 before sending anything was a refused token, not an open. So without
 * the secret an open is held until the gateway first speaks (or the connection ends otherwise),
 * and then reported with its handshake time. With the secret it is reported at once.
 *
 * Observers are called on the proxy's hot path: a few comparisons per frame, JSON parsed only for
 * small text frames that look like POS messages, and nothing thrown (the proxy guards it anyway).
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import { ingestLimits, type RawEvent } from '../../protocol/ingest.ts';
import type { AuthFailReason } from '../../protocol/probe-events.ts';
import { ackEvent, pingEvent } from './probe-figures.ts';
import { peekTerminalClaims, verifyTerminalToken } from '../auth/tokens.ts';
import type { ConnectionObserver, ProxiedUpgrade, ProxyObserver } from '../proxy/proxy-observer.ts';

export interface ProxyTelemetryOptions {
  /** Where the events go (an ingest client's `push`). */
  push(event: RawEvent): void;
  /** The terminals' signing secret: identities verified, opens reported at once. */
  secret?: string;
  /** Traffic counts are reported per connection at most this often (and at its close); default 1000. */
  trafficEveryMs?: number;
}

export interface ProxyTelemetry extends ProxyObserver {
  /** Connections open now, as `open` events with `resumed` (re-announced to a hub after a reconnect). */
  openConnections(): RawEvent[];
  stats(): { unidentified: number; implausibleRtt: number };
}

/** Order updates awaiting their ack per connection; older ones are forgotten (their ack then counts nothing). */
const maxPendingOrders = 64;
const maxPendingPings = 8;
/** Frames larger than this are not POS control messages: counted, never parsed. */
const maxParsedBytes = 4096;

type Identity = { rid: string; tid: string; verified: boolean; failure?: AuthFailReason };

function identify(u: ProxiedUpgrade, secret: string | undefined): Identity | { failure: AuthFailReason; rid?: string; tid?: string } {
  if (u.token === undefined) return { failure: 'missing' };
  if (secret !== undefined) {
    const v = verifyTerminalToken(secret, u.token);
    if (v.ok) return { rid: v.claims.rid, tid: v.claims.sub, verified: true };
    return { failure: v.reason, ...(v.rid ? { rid: v.rid } : {}), ...(v.tid ? { tid: v.tid } : {}) };
  }
  const peek = peekTerminalClaims(u.token);
  if (peek.rid && peek.tid) return { rid: peek.rid, tid: peek.tid, verified: false };
  return { failure: 'malformed' };
}

function parse(data: Buffer, isBinary: boolean): { type?: unknown; seq?: unknown; rtt?: unknown; code?: unknown } | null {
  if (isBinary || data.length > maxParsedBytes || data[0] !== 0x7b /* { */) return null;
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function createProxyTelemetry(o: ProxyTelemetryOptions): ProxyTelemetry {
  const live = new Map<string, Watched>();
  const counts = { unidentified: 0, implausibleRtt: 0 };
  const trafficEveryMs = o.trafficEveryMs ?? 1000;

  class Watched implements ConnectionObserver {
    openAnnounced = false;
    private spoke = false;
    /** Events of a connection whose open is still held: they follow it, or go with a refusal. */
    private pending: RawEvent[] | null = null;
    private readonly pings: { seq: number | null; t: number }[] = [];
    private readonly orders = new Map<number, number>();
    private rateLimited = false;
    private traffic = { msgIn: 0, bytesIn: 0, msgOut: 0, bytesOut: 0, since: 0 };

    constructor(
      readonly u: ProxiedUpgrade,
      readonly id: Identity | null,
      readonly failure: { reason: AuthFailReason; rid?: string; tid?: string } | null,
    ) {}

    opened(t: number): void {
      this.traffic.since = t;
      if (this.id === null) return;
      live.set(this.u.conn, this);
      if (this.id.verified) this.announce();
    }

    message(t: number, dir: 'in' | 'out', data: Buffer, isBinary: boolean): void {
      const tr = this.traffic;
      if (dir === 'in') {
        tr.msgIn++;
        tr.bytesIn += data.length;
      } else {
        tr.msgOut++;
        tr.bytesOut += data.length;
        if (!this.spoke) {
          this.spoke = true;
          this.announce();
        }
      }
      if (this.id === null) return;
      const m = parse(data, isBinary);
      if (m !== null) this.pos(t, dir, m);
      if (t - tr.since >= trafficEveryMs) this.flushTraffic(t);
    }

    closed(t: number, code: number, reason: string, by: 'terminal' | 'upstream' | 'proxy'): void {
      live.delete(this.u.conn);
      const refused = code === CloseCode.invalidToken && by === 'upstream' && !this.spoke && !(this.id?.verified ?? false);
      if (this.id === null || refused) {
        // Unverified claims label the failure; they never make a connection.
        const f = this.failure ?? { reason: 'refused' as const };
        const claims = this.id ?? f;
        if (code === CloseCode.invalidToken || this.id !== null) {
          o.push({ type: 'auth_fail', t: this.u.t, conn: this.u.conn, reason: this.failure?.reason ?? 'refused', ...(claims.rid ? { claimedRid: claims.rid } : {}), ...(claims.tid ? { claimedTid: claims.tid } : {}) });
        } else counts.unidentified++;
        return;
      }
      this.announce();
      this.flushTraffic(t);
      if (by === 'upstream' && (code === CloseCode.messageTooBig || code === CloseCode.policyViolation)) {
        this.emit({ type: 'limit', t, conn: this.u.conn, kind: code === CloseCode.messageTooBig ? 'size' : this.rateLimited ? 'rate' : 'invalid', detail: reason.slice(0, 200) });
      }
      this.emit({ type: 'close', t, conn: this.u.conn, code, reason: reason.slice(0, 123), by: by === 'terminal' ? 'terminal' : 'gateway' });
    }

    /** The open, once: at once when verified, else when the gateway first speaks or the connection ends. */
    announce(resumed = false): RawEvent | null {
      if (this.id === null) return null;
      const e: RawEvent = { type: 'open', t: this.u.t, conn: this.u.conn, rid: this.id.rid, tid: this.id.tid, via: this.u.via === 'none' ? 'other' : this.u.via, verified: this.id.verified };
      if (resumed) return { ...e, resumed: true };
      if (this.openAnnounced) return null;
      this.openAnnounced = true;
      o.push(e);
      for (const p of this.pending ?? []) o.push(p);
      this.pending = null;
      return e;
    }

    private emit(e: RawEvent): void {
      if (this.openAnnounced) return o.push(e);
      // Held: a terminal pings before a gateway without a welcome first speaks. Bounded, and only
      // ever a heartbeat or two: the gateway answers the first ping.
      const pending = (this.pending ??= []);
      if (pending.length < 32) pending.push(e);
    }

    private pos(t: number, dir: 'in' | 'out', m: { type?: unknown; seq?: unknown; rtt?: unknown; code?: unknown }): void {
      const conn = this.u.conn;
      const seq = typeof m.seq === 'number' && Number.isInteger(m.seq) ? m.seq : null;
      if (dir === 'in' && m.type === 'ping') {
        this.pings.push({ seq, t });
        if (this.pings.length > maxPendingPings) this.pings.shift();
        this.emit(pingEvent(t, conn, m.rtt, counts));
      } else if (dir === 'out' && m.type === 'pong') {
        // A pong answers the ping with its seq (POS pongs echo it), or else the oldest waiting.
        const i = seq === null ? 0 : this.pings.findIndex((p) => p.seq === seq);
        const ping = i >= 0 ? this.pings.splice(0, i + 1).at(-1) : undefined;
        this.emit(ping ? { type: 'pong', t, conn, rtt: Math.min(ingestLimits.maxRttMs, t - ping.t) } : { type: 'pong', t, conn });
      } else if (dir === 'out' && m.type === 'order' && seq !== null) {
        this.orders.set(seq, t);
        if (this.orders.size > maxPendingOrders) this.orders.delete(this.orders.keys().next().value as number);
      } else if (dir === 'in' && m.type === 'ack' && seq !== null) {
        const sentAt = this.orders.get(seq);
        if (sentAt === undefined) return;
        this.orders.delete(seq);
        const ack = ackEvent(t, conn, seq, t - sentAt);
        if (ack) this.emit(ack);
      } else if (dir === 'out' && m.type === 'error' && m.code === 'RATE_LIMITED') this.rateLimited = true;
    }

    private flushTraffic(t: number): void {
      const tr = this.traffic;
      if (tr.msgIn + tr.msgOut > 0 && this.openAnnounced) {
        this.emit({ type: 'traffic', t, conn: this.u.conn, msgIn: tr.msgIn, bytesIn: tr.bytesIn, msgOut: tr.msgOut, bytesOut: tr.bytesOut });
        tr.msgIn = tr.bytesIn = tr.msgOut = tr.bytesOut = 0;
      }
      tr.since = t;
    }
  }

  return {
    upgrade(u) {
      const found = identify(u, o.secret);
      if ('verified' in found) {
        const failure = found.failure ? { reason: found.failure } : null;
        return new Watched(u, found as Identity, failure);
      }
      const failure = { reason: found.failure, ...(found.rid ? { rid: found.rid } : {}), ...(found.tid ? { tid: found.tid } : {}) };
      // With the secret, a token that fails verification may still be one the gateway takes (it may
      // sign differently): its claims then name the connection, unverified.
      if (o.secret !== undefined && found.rid && found.tid) return new Watched(u, { rid: found.rid, tid: found.tid, verified: false }, failure);
      return new Watched(u, null, failure);
    },
    // Only those already announced: a held open re-announced as resumed would make its own open a duplicate.
    openConnections: () => [...live.values()].filter((w) => w.openAnnounced).flatMap((w) => {
      const e = w.announce(true);
      return e ? [e] : [];
    }),
    stats: () => ({ ...counts }),
  };
}
