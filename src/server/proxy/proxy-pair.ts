/**
 * One terminal ⇄ upstream pair once both legs are open: every data message and control frame
 * forwarded unchanged, the first close forwarded to the other leg as it came, and backpressure per
 * direction so a slow reader on one leg cannot make the proxy buffer without bound.
 *
 * Closes: whoever closes first decides. A close frame's code and reason (the bytes, not a string
 * round trip) go to the other leg; 1005 (a close frame without a code) goes as a close without a
 * code; a leg that vanished (1006) has the other terminated, so that side sees 1006 too. A leg
 * that breaks the protocol (a frame over maxPayload, a bad frame) is closed by ws with its code;
 * the other leg gets the same code from the proxy.
 *
 * Memory: a proxy holds ~10,000 pairs, so the event listeners are module-level functions shared by
 * every pair (EventEmitter calls them with the socket as `this`, which carries its Leg), not a
 * dozen closures per pair; a send callback exists only while a direction is paused.
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../log/logger.ts';
import { silent } from './guarded-observer.ts';
import type { ClosedBy, Direction, ProxyMetrics, Side } from './proxy-metrics.ts';
import type { ConnectionObserver } from './proxy-observer.ts';

export interface PairContext {
  metrics: ProxyMetrics;
  logger: Logger;
  highWaterBytes: number;
  now(): number;
  /** Both legs closed: the pair holds nothing any more. */
  ended(pair: ProxyPair): void;
}

/** One direction of a pair: read from `from`, written to `to`. */
interface Leg {
  readonly pair: ProxyPair;
  readonly from: WebSocket;
  readonly to: WebSocket;
  readonly dir: Direction;
  readonly side: Side;
  /** Reading from this leg is paused because `to` holds more than highWaterBytes. */
  paused: boolean;
  /** The send callback used while paused (made on the first pause). */
  flushed: (() => void) | null;
}

const kLeg = Symbol('proxy-leg');
type LegSocket = WebSocket & { [kLeg]: Leg };

/** ws's error codes for a peer that broke the protocol, and the close code ws answers it with. */
const protocolErrorCodes: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** ws refuses to send a code it would not accept (1004–1006, 1015–2999); a received one always passes. */
function closeOrTerminate(ws: WebSocket, code: number, reason: Buffer | string): void {
  try {
    ws.close(code, reason);
  } catch {
    ws.terminate();
  }
}

const binary = { binary: true } as const;
const text = { binary: false } as const;

const legOf = (ws: WebSocket): Leg => (ws as LegSocket)[kLeg];

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  const leg = legOf(this);
  leg.pair.forward(leg, data, isBinary);
}
function onPing(this: WebSocket, data: Buffer): void {
  const leg = legOf(this);
  leg.pair.control(leg, data, true);
}
function onPong(this: WebSocket, data: Buffer): void {
  const leg = legOf(this);
  leg.pair.control(leg, data, false);
}
function onError(this: WebSocket, error: Error & { code?: string }): void {
  const leg = legOf(this);
  leg.pair.errored(leg, error);
}
function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const leg = legOf(this);
  leg.pair.closed(leg, code, reason);
}

export class ProxyPair {
  private over = false;
  private legsClosed = 0;

  constructor(
    private readonly ctx: PairContext,
    readonly conn: string,
    readonly terminal: WebSocket,
    readonly upstream: WebSocket,
    private readonly observer: ConnectionObserver,
  ) {
    this.attach({ pair: this, from: terminal, to: upstream, dir: 'in', side: 'terminal', paused: false, flushed: null });
    this.attach({ pair: this, from: upstream, to: terminal, dir: 'out', side: 'upstream', paused: false, flushed: null });
  }

  /** Bytes queued on both legs, not yet handed to the kernel. */
  bufferedBytes(): number {
    return this.terminal.bufferedAmount + this.upstream.bufferedAmount;
  }

  /** The proxy ends the pair (shutdown): the same code and reason to both legs. */
  closeBoth(code: number, reason: string): void {
    if (this.over) return;
    this.over = true;
    for (const ws of [this.terminal, this.upstream]) {
      ws.resume();
      ws.close(code, reason);
    }
    this.finish(code, reason, 'proxy');
  }

  /** Last resort when a leg does not answer a close within ws's closeTimeout. */
  terminate(): void {
    this.terminal.terminate();
    this.upstream.terminate();
  }

  /** @internal A data message read from `leg.from`, for `leg.to`. */
  forward(leg: Leg, data: Buffer, isBinary: boolean): void {
    if (this.over) return;
    const { metrics, highWaterBytes } = this.ctx;
    metrics.message(leg.dir, data.length);
    // No clock read per frame when nobody observes.
    if (this.observer !== silent) this.observer.message(this.ctx.now(), leg.dir, data, isBinary);
    const to = leg.to;
    // Judged before sending, so that the send which crosses the line is one whose flush is reported.
    if (!leg.paused && to.bufferedAmount + data.length > highWaterBytes) {
      leg.paused = true;
      leg.from.pause();
      metrics.paused(leg.dir);
    }
    // While paused every send reports its flush: the last one to reach the kernel resumes reading.
    to.send(data, isBinary ? binary : text, leg.paused ? this.flushCallback(leg) : undefined);
  }

  /** @internal Resume reading `leg.from` once what `leg.to` holds is below half the threshold (hysteresis). */
  flushed(leg: Leg): void {
    // Above half: a later send, made while paused, reports its flush and checks again.
    if (!leg.paused || leg.to.bufferedAmount > this.ctx.highWaterBytes / 2) return;
    leg.paused = false;
    if (!this.over) leg.from.resume();
  }

  /** @internal A ping or pong read from one leg, for the other. */
  control(leg: Leg, data: Buffer, ping: boolean): void {
    if (this.over) return;
    this.ctx.metrics.control(leg.dir);
    const flushed = leg.paused ? this.flushCallback(leg) : undefined;
    try {
      if (ping) leg.to.ping(data, undefined, flushed);
      else leg.to.pong(data, undefined, flushed);
    } catch {
      // Only thrown while CONNECTING, which neither leg is by now.
    }
  }

  /** @internal */
  errored(leg: Leg, error: Error & { code?: string }): void {
    this.ctx.metrics.socketError(leg.side);
    // Resets and other socket errors are followed by 'close' (1006), which forwards them. A protocol
    // error is the proxy's own verdict: ws is closing that leg with its code; the other gets it too.
    if (this.over || !error.code?.startsWith('WS_ERR_')) return;
    this.over = true;
    const code = protocolErrorCodes[error.code] ?? 1002;
    const reason = error.message.slice(0, 120);
    this.ctx.logger.debug({ conn: this.conn, side: leg.side, code: error.code }, 'protocol error on a leg; closing the pair');
    leg.to.resume();
    closeOrTerminate(leg.to, code, reason);
    this.finish(code, reason, 'proxy');
  }

  /** @internal */
  closed(leg: Leg, code: number, reason: Buffer): void {
    if (!this.over) {
      this.over = true;
      const other = leg.to;
      // The other leg may be paused for backpressure: it must read to see the close handshake through.
      other.resume();
      if (code === 1006) other.terminate();
      else if (code === 1005) other.close();
      else closeOrTerminate(other, code, reason);
      this.finish(code, reason.toString(), leg.side);
    }
    if (++this.legsClosed === 2) this.ctx.ended(this);
  }

  /** One callback per leg, made the first time it pauses (most legs never do). */
  private flushCallback(leg: Leg): () => void {
    return (leg.flushed ??= () => this.flushed(leg));
  }

  private attach(leg: Leg): void {
    const ws = leg.from;
    (ws as LegSocket)[kLeg] = leg;
    ws.on('message', onMessage);
    ws.on('ping', onPing);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  private finish(code: number, reason: string, by: ClosedBy): void {
    this.ctx.metrics.closed(code, by);
    this.observer.closed(this.ctx.now(), code, reason, by);
    this.ctx.logger.debug({ conn: this.conn, code, by }, 'pair closed');
  }
}
