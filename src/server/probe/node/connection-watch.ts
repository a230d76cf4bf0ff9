/**
 * What the in-process probe knows of one terminal connection, and the raw ingest events
 * (src/protocol/ingest.ts) it makes of it: the Node `ws` analogue of the proxy's per-connection
 * observer (../proxy-telemetry.ts), fed by the socket's own events and by the gateway's calls to
 * `send`, `close` and `terminate` instead of by forwarded frames.
 *
 * The one record of who closed a connection and why lives here. `ws` reports, on the server's
 * 'close' event, the code the *peer* sent (1006 when it sent none), so a gateway that closed a
 * half-open peer with 4008 and then terminated it would read as "1006"; the probe keeps the code
 * the gateway itself chose, as the reference gateway does (terminal-connection.ts).
 */
import { CloseCode } from '../../../protocol/close-codes.ts';
import type { RawEvent, RawEventOf } from '../../../protocol/ingest.ts';
import type { AuthFailReason } from '../../../protocol/probe-events.ts';
import { ackEvent, pingEvent } from '../probe-figures.ts';
import { seqOf, type FrameShapes, type PosFrame } from './pos-frames.ts';

export type Identity = { rid: string; tid: string };
export type Refusal = { refused: AuthFailReason; rid?: string; tid?: string };

export interface WatchContext {
  push(event: RawEvent): void;
  shapes: FrameShapes;
  trafficEveryMs: number;
  counts: { implausibleRtt: number; unidentified: number };
}

/** Order updates awaiting their ack; older ones are forgotten (their ack then measures nothing). */
const maxPendingOrders = 64;

export class ConnectionWatch {
  /** The gateway's own close (code and reason it sent), or its terminate (code 1006): it ended the connection. */
  private gatewayEnded: { code: number | undefined; reason: string } | null = null;
  private ended = false;
  private rateLimited = false;
  /** Made at the first order update: most connections of a fleet see none between two heartbeats, and 10,000 empty Maps are ~2 MB. */
  private orders: Map<number, number> | null = null;
  private readonly traffic = { msgIn: 0, bytesIn: 0, msgOut: 0, bytesOut: 0, since: 0 };
  readonly open: RawEventOf<'open'> | null;

  constructor(
    private readonly ctx: WatchContext,
    readonly conn: string,
    readonly t: number,
    via: RawEventOf<'open'>['via'],
    private readonly who: Identity | Refusal | null,
  ) {
    this.traffic.since = t;
    this.open = who !== null && !('refused' in who) ? { type: 'open', t, conn, rid: who.rid, tid: who.tid, via, verified: true } : null;
    if (this.open) ctx.push(this.open);
  }

  /** The gateway closed (or terminated) before the probe saw the connection: `ws` was already closing. */
  closedBeforeWatched(): void {
    this.gatewayEnded ??= { code: undefined, reason: '' };
  }

  /**
   * `ws.close(code, reason)` by the gateway — or by `ws` itself for a protocol error or an
   * oversized frame (1002, 1009), which is the gateway's side too. `echo`: `ws` answering the
   * terminal's close frame, which makes the terminal the one that closed.
   */
  gatewayClose(code: unknown, reason: unknown, echo: boolean): void {
    if (this.ended || this.gatewayEnded || echo) return;
    this.gatewayEnded = { code: typeof code === 'number' ? code : undefined, reason: typeof reason === 'string' ? reason : Buffer.isBuffer(reason) ? reason.toString('utf8') : '' };
  }

  gatewayTerminate(): void {
    if (this.ended) return;
    this.gatewayEnded ??= { code: CloseCode.abnormal, reason: '' };
  }

  incoming(t: number, bytes: number, frame: PosFrame | null): void {
    const tr = this.traffic;
    tr.msgIn++;
    tr.bytesIn += bytes;
    if (this.open === null) return;
    if (frame !== null) {
      const { shapes } = this.ctx;
      if (shapes.isPing(frame)) this.ping(t, frame.rtt);
      else if (shapes.isAck(frame)) this.ack(t, seqOf(frame));
    }
    if (t - tr.since >= this.ctx.trafficEveryMs) this.flushTraffic(t);
  }

  outgoing(t: number, bytes: number, frame: PosFrame | null): void {
    const tr = this.traffic;
    tr.msgOut++;
    tr.bytesOut += bytes;
    if (this.open === null) return;
    if (frame !== null) {
      const { shapes } = this.ctx;
      if (shapes.isPong(frame)) this.ctx.push({ type: 'pong', t, conn: this.conn });
      else if (shapes.isOrder(frame)) {
        const seq = seqOf(frame);
        if (seq !== null) {
          this.orders ??= new Map();
          this.orders.set(seq, t);
          if (this.orders.size > maxPendingOrders) this.orders.delete(this.orders.keys().next().value as number);
        }
      } else if (frame.type === 'error' && frame.code === 'RATE_LIMITED') this.rateLimited = true;
    }
    if (t - tr.since >= this.ctx.trafficEveryMs) this.flushTraffic(t);
  }

  /** The socket's 'close' event: `code`/`reason` as `ws` reports them (the peer's). */
  closed(t: number, code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const by = this.gatewayEnded ? 'gateway' : 'terminal';
    const finalCode = clampCode(this.gatewayEnded?.code ?? code);
    const finalReason = (this.gatewayEnded && this.gatewayEnded.code !== undefined ? this.gatewayEnded.reason : reason).slice(0, 123);
    if (this.open === null) return this.refusedClosed(by, finalCode);
    this.flushTraffic(t);
    if (by === 'gateway' && (finalCode === CloseCode.messageTooBig || finalCode === CloseCode.policyViolation)) {
      const kind = finalCode === CloseCode.messageTooBig ? 'size' : this.rateLimited ? 'rate' : 'invalid';
      this.ctx.push({ type: 'limit', t, conn: this.conn, kind, ...(finalReason ? { detail: finalReason.slice(0, 200) } : {}) });
    }
    this.ctx.push({ type: 'close', t, conn: this.conn, code: finalCode, reason: finalReason, by });
  }

  /**
   * A connection identify() did not vouch for: never an open. If the gateway then closed it with
   * 4001 it refused the token, which is an `auth_fail` (labelled with the unverified claims when
   * identify() gave them, so the hub can count it against the restaurant).
   */
  private refusedClosed(by: 'gateway' | 'terminal', code: number): void {
    if (by === 'gateway' && code === CloseCode.invalidToken) {
      const r = this.who !== null && 'refused' in this.who ? this.who : null;
      this.ctx.push({ type: 'auth_fail', t: this.t, conn: this.conn, reason: r?.refused ?? 'refused', ...(r?.rid ? { claimedRid: r.rid } : {}), ...(r?.tid ? { claimedTid: r.tid } : {}) });
    } else this.ctx.counts.unidentified++;
  }

  private ping(t: number, rtt: unknown): void {
    this.ctx.push(pingEvent(t, this.conn, rtt, this.ctx.counts));
  }

  private ack(t: number, seq: number | null): void {
    if (seq === null) return;
    const sentAt = this.orders?.get(seq);
    if (sentAt === undefined) return;
    this.orders!.delete(seq);
    const ack = ackEvent(t, this.conn, seq, t - sentAt);
    if (ack) this.ctx.push(ack);
  }

  private flushTraffic(t: number): void {
    const tr = this.traffic;
    if (tr.msgIn + tr.msgOut > 0) {
      this.ctx.push({ type: 'traffic', t, conn: this.conn, msgIn: tr.msgIn, bytesIn: tr.bytesIn, msgOut: tr.msgOut, bytesOut: tr.bytesOut });
      tr.msgIn = tr.bytesIn = tr.msgOut = tr.bytesOut = 0;
    }
    tr.since = t;
  }
}

/** 1005 ("no status") and other codes outside the contract's range read as a normal close. */
function clampCode(code: number): number {
  return Number.isInteger(code) && code >= 1000 && code <= 4999 && code !== 1005 ? code : CloseCode.normal;
}
