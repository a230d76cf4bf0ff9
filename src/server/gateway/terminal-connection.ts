/**
 * One authenticated terminal connection: its heartbeat bookkeeping, rate limit, pending acks, and
 * the single record of who closed it and why — so that the probe's close event and the metrics say
 * "4008 heartbeat timeout, by the server" rather than the 1006 that `ws` reports after a terminate.
 *
 * Listeners are attached in the constructor, which the gateway calls in the same tick as the
 * handshake (PITFALLS.md: a listener attached after an `await` loses the first frames).
 */
import type { RawData, WebSocket } from 'ws';
import type { CloseCause } from '../../protocol/close-codes.ts';
import { CloseCode, causeOfClose } from '../../protocol/close-codes.ts';
import { decodeTerminalMessage, encodeMessage } from '../../protocol/codec.ts';
import { PulseError, closeReason } from '../../protocol/errors.ts';
import { posLimits } from '../../protocol/pos-messages.ts';
import type { GatewayMessage } from '../../protocol/pos-messages.ts';
import type { LimitKind, ProbeEvent } from '../../protocol/probe-events.ts';
import type { Logger } from '../log/logger.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { RestaurantRooms, RoomMember } from './restaurant-rooms.ts';
import { rttPlausible } from '../../core/rtt-plausible.ts';
import { createBucket, takeToken } from '../../core/token-bucket.ts';
import type { TokenBucket, TokenBucketPolicy } from '../../core/token-bucket.ts';

/** What every connection of one gateway shares. */
export interface ConnectionContext {
  readonly gatewayId: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatGraceMs: number;
  readonly rateLimit: TokenBucketPolicy;
  /** null = probe off: no event object is ever built. */
  readonly probe: { emit(event: ProbeEvent): void } | null;
  readonly probeTraffic: boolean;
  readonly metrics: GatewayMetrics;
  readonly rooms: RestaurantRooms<TerminalConnection>;
  readonly logger: Logger;
  now(): number;
  /** The gateway itself did not run for a while until `now`, and the watchdog has not yet forgiven it. */
  gatewayStalled(now: number): boolean;
  closed(connection: TerminalConnection): void;
  /** Broadcast an order update to a restaurant; returns its seq. */
  broadcastOrder(restaurantId: string, order: Extract<GatewayMessage, { type: 'order' }>['order']): number;
}

/** Acks awaited per connection; older entries are dropped so a terminal that never acks costs little. */
const maxPendingAcks = 64;
/** A terminal that does not read its socket must not grow the gateway's memory without bound. */
const maxBufferedBytes = 1 << 20;

type ClosedBy = { code: number; reason: string; cause: CloseCause };

export class TerminalConnection implements RoomMember {
  readonly openedAt: number;
  private lastPingAt: number;
  /** Silence is judged from here at the earliest: moved on by `forgive` after a gateway stall. */
  private judgedFrom = 0;
  private pingForgiven = false;
  private bucket: TokenBucket;
  private pendingAcks: Map<number, number> | null = null;
  private closedBy: ClosedBy | null = null;

  constructor(
    private readonly ctx: ConnectionContext,
    private readonly ws: WebSocket,
    readonly restaurantId: string,
    readonly terminalId: string,
    readonly connId: string,
    now: number,
  ) {
    this.openedAt = now;
    this.lastPingAt = now;
    this.bucket = createBucket(ctx.rateLimit.capacity, now);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (error) => this.onError(error));
    ws.on('close', (code, reason) => this.onClose(code, reason));
  }

  /** Server-initiated close; the first reason given is the one reported. */
  closeWith(code: number, reason: string, cause: CloseCause): void {
    if (this.closedBy) return;
    this.closedBy = { code, reason, cause };
    this.ws.close(code, reason);
  }

  /**
   * Called by the watchdog. A peer that stopped pinging may be half-open: `close()` would wait
   * for a close frame that never comes (ws closeTimeout, 30 s by default), so terminate at once.
   */
  checkLiveness(now: number): void {
    if (this.closedBy) return;
    const since = Math.max(this.lastPingAt, this.judgedFrom);
    if (now - since <= 2 * this.ctx.heartbeatIntervalMs + this.ctx.heartbeatGraceMs) return;
    const error = new PulseError('HEARTBEAT_TIMEOUT');
    this.closedBy = { code: error.closeCode, reason: error.message, cause: 'heartbeat_timeout' };
    this.ctx.logger.debug({ conn: this.connId, silentMs: now - since }, 'heartbeat timeout');
    this.ws.close(error.closeCode, error.message);
    this.ws.terminate();
  }

  /**
   * The gateway itself did not run until `now` (watchdog): silence before it is not this
   * terminal's. The deadline moves, and the next ping is not judged late for a gap the gateway
   * made (its `gapMs` is still the one measured).
   */
  forgive(now: number): void {
    if (now > this.judgedFrom) this.judgedFrom = now;
    this.pingForgiven = true;
  }

  /** Drop the TCP connection without a close handshake (shutdown fallback). */
  terminate(): void {
    this.ws.terminate();
  }

  send(message: GatewayMessage): void {
    const frame = encodeMessage(message);
    this.ws.send(frame);
    this.countOut(frame);
  }

  deliver(frame: string, seq: number, sentAt: number): void {
    if (this.closedBy) return;
    if (this.ws.bufferedAmount > maxBufferedBytes) {
      const error = new PulseError('SLOW_CONSUMER');
      this.closeWith(error.closeCode, closeReason(error), 'try_again_later');
      return;
    }
    this.ws.send(frame);
    if (this.ctx.probe) {
      const pending = (this.pendingAcks ??= new Map());
      pending.set(seq, sentAt);
      if (pending.size > maxPendingAcks) pending.delete(pending.keys().next().value as number);
      if (this.ctx.probeTraffic) this.emitTraffic('out', Buffer.byteLength(frame));
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // After a refusal the peer may still be sending; nothing more is processed.
    if (this.closedBy) return;
    const now = this.ctx.now();
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    this.ctx.metrics.messageIn(bytes);
    if (this.ctx.probe && this.ctx.probeTraffic) this.emitTraffic('in', bytes);

    const taken = takeToken(this.bucket, now, this.ctx.rateLimit);
    this.bucket = taken.bucket;
    if (!taken.ok) return this.refuse(new PulseError('RATE_LIMITED'), 'rate');
    if (isBinary) return this.refuse(new PulseError('NOT_TEXT'), 'invalid');
    const decoded = decodeTerminalMessage(data.toString());
    if (!decoded.ok) return this.refuse(decoded.error, 'invalid');

    const message = decoded.value;
    switch (message.type) {
      case 'ping': {
        const gapMs = now - this.lastPingAt;
        // A gap the gateway made by not running is not the terminal's lateness (heartbeat-watchdog.ts).
        const onTime = gapMs <= this.ctx.heartbeatIntervalMs + this.ctx.heartbeatGraceMs || this.pingForgiven || this.ctx.gatewayStalled(now);
        this.pingForgiven = false;
        this.lastPingAt = now;
        this.ctx.metrics.heartbeat(onTime);
        this.send({ type: 'pong', seq: message.seq, timestamp: now });
        // A round trip longer than the heartbeat interval cannot be real (one `rtt: 1e9` made a
        // restaurant's p95 and p99 ~1e9 ms): the ping counts, the sample does not, and it is
        // counted — a terminal with a clock bug is not disconnected for it.
        // It is also told to the hub with the ping, against the terminal (its diagnosis says so).
        // The one rule (rtt-plausible.ts), as the hub applies it to what comes through /ingest.
        const reported = message.rtt;
        const plausible = reported === undefined || rttPlausible(reported, this.ctx.heartbeatIntervalMs);
        const rtt = plausible ? reported : undefined;
        const implausibleRtt = plausible ? undefined : reported;
        if (!plausible) this.ctx.metrics.implausibleRtt();
        if (this.ctx.probe) {
          const { gatewayId: gw } = this.ctx;
          const { restaurantId: rid, terminalId: tid, connId: conn } = this;
          // Literals rather than adding `rtt` afterwards: each event is then one object of a
          // fixed shape, allocated in one go (see `emitTraffic`).
          this.emit(
            rtt !== undefined
              ? { type: 'heartbeat', gw, t: now, rid, tid, conn, onTime, gapMs, rtt }
              : implausibleRtt !== undefined
                ? { type: 'heartbeat', gw, t: now, rid, tid, conn, onTime, gapMs, implausibleRtt }
                : { type: 'heartbeat', gw, t: now, rid, tid, conn, onTime, gapMs },
          );
        }
        return;
      }
      case 'ack': {
        const sentAt = this.pendingAcks?.get(message.seq);
        if (sentAt === undefined) return; // probe off, evicted, or an ack for nothing: not an error
        this.pendingAcks?.delete(message.seq);
        // Our own clock on both ends, yet it can step (NTP): a negative or hour-long latency is no
        // figure. Dropped and counted; before, a negative one became a fake 0 ms sample.
        const latencyMs = now - sentAt;
        if (!(latencyMs >= 0 && latencyMs <= posLimits.maxAckLatencyMs)) {
          this.ctx.metrics.implausibleLatency();
          return;
        }
        this.emit({ type: 'ack', gw: this.ctx.gatewayId, t: now, rid: this.restaurantId, tid: this.terminalId, conn: this.connId, seq: message.seq, latencyMs });
        return;
      }
      case 'order':
        this.ctx.broadcastOrder(this.restaurantId, message.order);
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** A limit was hit: say why in an `error` frame, then close with the code the error maps to. */
  private refuse(error: PulseError, kind: LimitKind): void {
    this.ctx.metrics.limitHit(kind);
    this.ctx.logger.debug({ conn: this.connId, kind, code: error.code }, 'terminal refused');
    if (this.ctx.probe) this.emit({ type: 'limit', ...this.who(this.ctx.now()), kind, detail: error.message.slice(0, 200) });
    this.send({ type: 'error', seq: 0, timestamp: this.ctx.now(), code: error.code, message: error.message });
    this.closeWith(error.closeCode, closeReason(error), kind === 'rate' ? 'rate_limited' : 'invalid_message');
  }

  /**
   * `ws` reports protocol violations here and has already started the close with the matching
   * code (1009 for an oversized frame). Without this listener the error would crash the process.
   */
  private onError(error: Error & { code?: string }): void {
    if (!this.closedBy && error.code?.startsWith('WS_ERR_')) {
      const tooLarge = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      const kind: LimitKind = tooLarge ? 'size' : 'invalid';
      const code = tooLarge ? CloseCode.messageTooBig : error.code === 'WS_ERR_INVALID_UTF8' ? 1007 : 1002;
      this.closedBy = { code, reason: error.message.slice(0, 120), cause: tooLarge ? 'too_large' : 'invalid_message' };
      this.ctx.metrics.limitHit(kind);
      if (this.ctx.probe) this.emit({ type: 'limit', ...this.who(this.ctx.now()), kind, detail: error.message.slice(0, 200) });
    }
    this.ctx.logger.debug({ conn: this.connId, code: error.code }, 'socket error');
  }

  private onClose(code: number, reason: Buffer): void {
    const now = this.ctx.now();
    this.ctx.closed(this);
    const by = this.closedBy;
    const finalCode = by ? by.code : code;
    this.ctx.metrics.connectionClosed(this.restaurantId, finalCode);
    this.ctx.logger.debug({ conn: this.connId, rid: this.restaurantId, tid: this.terminalId, code: finalCode, byServer: by !== null }, 'terminal closed');
    if (this.ctx.probe) {
      this.emit({
        type: 'close',
        ...this.who(now),
        code: finalCode,
        cause: by ? by.cause : causeOfClose(code, false),
        // A terminal's close reason is data it chose: bounded, never interpreted.
        reason: by ? by.reason : reason.toString('utf8').slice(0, 123),
        byServer: by !== null,
        durationMs: Math.max(0, now - this.openedAt),
      });
    }
    this.pendingAcks = null;
  }

  /** Rare events only (limit, close): the per-ping ones are written out (see `emitTraffic`). */
  private who(t: number) {
    return { gw: this.ctx.gatewayId, t, rid: this.restaurantId, tid: this.terminalId, conn: this.connId };
  }

  private countOut(frame: string): void {
    const bytes = Buffer.byteLength(frame);
    this.ctx.metrics.messageOut(bytes);
    if (this.ctx.probe && this.ctx.probeTraffic) this.emitTraffic('out', bytes);
  }

  /**
   * Two of these per ping, so written out: `{ type, ...this.who(t), dir, bytes }` built a `who`
   * object and then copied it key by key (a spread after a literal key takes V8's slow path), about
   * twice the garbage and time of one literal — measured as most of the probe's cost per ping.
   */
  private emitTraffic(dir: 'in' | 'out', bytes: number): void {
    this.emit({ type: 'traffic', gw: this.ctx.gatewayId, t: this.ctx.now(), rid: this.restaurantId, tid: this.terminalId, conn: this.connId, dir, bytes });
  }

  /** A faulty sink must not take the connection (or the process) down with it. */
  private emit(event: ProbeEvent): void {
    try {
      this.ctx.probe?.emit(event);
    } catch (error) {
      this.ctx.logger.warn({ err: error, type: event.type }, 'probe sink failed');
    }
  }
}
