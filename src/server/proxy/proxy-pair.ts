/**
 * One terminal ⇄ upstream pair once both handshakes are done: the bytes each side sends are written
 * to the other as they were read — frames, fragments, masks, pings, pongs and closes unchanged — and
 * a FrameScanner reads the same bytes for what the proxy must know (messages and bytes for metrics,
 * payloads for an observer, close codes, protocol errors). Why raw: re-framing every message through
 * ws cost most of the proxy's user CPU and garbage (issue 9; docs/architecture.md). A terminal's
 * frames are masked, as the upstream expects of a client; the upstream's are not, as a terminal
 * expects of a server: forwarded as they are, both legs stay valid WebSocket.
 *
 * Closes: whoever sends the first close frame decides (code and reason as sent; 1005 for none); the
 * other side's answer passes back and each side's FIN is passed on (half-close mirrored), so both
 * see the close handshake they would without the proxy. A side that vanishes (FIN or reset with no
 * close frame) is 1006: the other gets a FIN (or a reset), so it sees 1006 too. A side that breaks
 * the protocol (a bad frame, a message over maxPayload) gets the proxy's own close (1002, 1009), and
 * so does the other side; then nothing more is relayed. A pair that has not closed within
 * closeTimeoutMs of its first close is dropped.
 *
 * Backpressure per direction: once the receiving socket holds more than highWaterBytes, the sending
 * socket is not read until the receiving one drains.
 *
 * Memory: a proxy holds ~10,000 pairs, so the socket listeners are module-level functions shared by
 * every pair (called with the socket as `this`, which carries the Leg that reads it), not closures.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../log/logger.ts';
import { closeFrame, FrameScanner } from './frame-scanner.ts';
import type { FrameEvents } from './frame-scanner.ts';
import { silent } from './guarded-observer.ts';
import type { ClosedBy, Direction, ProxyMetrics, Side } from './proxy-metrics.ts';
import type { ConnectionObserver } from './proxy-observer.ts';

export interface PairContext {
  metrics: ProxyMetrics;
  logger: Logger;
  highWaterBytes: number;
  /** Largest data message either side may send (its fragments together). */
  maxPayload: number;
  /** How long a closing pair may take to finish before both sockets are dropped. */
  closeTimeoutMs: number;
  now(): number;
  /** Both sockets closed: the pair holds nothing any more. */
  ended(pair: ProxyPair): void;
}

const protocolErrorReasons: Record<number, string> = { 1002: 'Invalid WebSocket frame', 1009: 'Max payload size exceeded' };
const randomMask = (): number => randomBytes(4).readUInt32BE(0);

/** One direction of a pair: read from `from`, written to `to`, and what the scanner reports of it. */
class Leg implements FrameEvents {
  readonly scanner: FrameScanner;
  /** Reading `from` is paused because `to` holds more than highWaterBytes. */
  paused = false;
  closed = false;
  /** Messages for the observer, delivered once the chunk that completed them is written. */
  observed: Array<Buffer | boolean> | null = null;

  constructor(
    readonly pair: ProxyPair,
    readonly from: Socket,
    readonly to: Socket,
    readonly dir: Direction,
    readonly side: Side,
    maxPayload: number,
    collect: boolean,
  ) {
    this.scanner = new FrameScanner(side === 'terminal', maxPayload, collect, this);
  }

  message(bytes: number, isBinary: boolean, payload: Buffer | null): void {
    this.pair.ctx.metrics.message(this.dir, bytes);
    if (payload !== null) (this.observed ??= []).push(payload, isBinary);
  }

  control(): void {
    this.pair.ctx.metrics.control(this.dir);
  }

  close(code: number, reason: Buffer): void {
    this.pair.closeFrameSeen(this, code, reason);
  }
}

const kLeg = Symbol('proxy-leg');
type LegSocket = Socket & { [kLeg]: Leg };
const legOf = (socket: Socket): Leg => (socket as LegSocket)[kLeg];

function onData(this: Socket, chunk: Buffer): void {
  const leg = legOf(this);
  leg.pair.relay(leg, chunk);
}
function onEnd(this: Socket): void {
  const leg = legOf(this);
  leg.pair.ended(leg);
}
function onDrain(this: Socket): void {
  legOf(this).pair.drained(this);
}
function onError(this: Socket): void {
  const leg = legOf(this);
  leg.pair.ctx.metrics.socketError(leg.side);
}
function onClose(this: Socket, hadError: boolean): void {
  const leg = legOf(this);
  leg.pair.socketClosed(leg, hadError);
}

const open = 0;
/** A close frame or a FIN passed: still relaying, the close handshake included. */
const closing = 1;
/** The proxy closed both sides itself: nothing more is relayed. */
const verdict = 2;

export class ProxyPair {
  private readonly inLeg: Leg;
  private readonly outLeg: Leg;
  private state = open;
  private finished = false;
  private closeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly ctx: PairContext,
    readonly conn: string,
    readonly terminal: Socket,
    readonly upstream: Socket,
    private readonly observer: ConnectionObserver,
    /** What the terminal sent before its 101 was written (the upgrade's head, early bytes). */
    terminalHead: Buffer,
  ) {
    const collect = observer !== silent;
    this.inLeg = new Leg(this, terminal, upstream, 'in', 'terminal', ctx.maxPayload, collect);
    this.outLeg = new Leg(this, upstream, terminal, 'out', 'upstream', ctx.maxPayload, collect);
    for (const leg of [this.inLeg, this.outLeg]) {
      const socket = leg.from;
      (socket as LegSocket)[kLeg] = leg;
      socket.setNoDelay(true);
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('drain', onDrain);
      socket.on('error', onError);
      socket.on('close', onClose);
    }
    if (terminalHead.length > 0) this.relay(this.inLeg, terminalHead);
    // Both were handed over paused; what the upstream sent with its 101 is the first 'data'.
    if (!this.inLeg.paused) terminal.resume();
    if (!this.outLeg.paused) upstream.resume();
  }

  /** Bytes queued on both sockets, not yet handed to the kernel. */
  bufferedBytes(): number {
    return this.terminal.writableLength + this.upstream.writableLength;
  }

  /** The proxy ends the pair (shutdown): the same code and reason to both sides. */
  closeBoth(code: number, reason: string): void {
    this.proxyClose(code, reason, null);
  }

  /** Last resort when a side does not finish its close in time. */
  terminate(): void {
    this.terminal.destroy();
    this.upstream.destroy();
  }

  /** @internal Bytes read from `leg.from`: scanned, then written to `leg.to` as they came. */
  relay(leg: Leg, chunk: Buffer): void {
    if (this.state === verdict) return;
    const scanner = leg.scanner;
    if (!scanner.scan(chunk)) {
      // What came before the offending frame is whole frames: forwarded, then the proxy's close.
      if (scanner.errorAt > 0) this.write(leg, chunk.subarray(0, scanner.errorAt));
      this.proxyClose(scanner.errorCode, protocolErrorReasons[scanner.errorCode] ?? 'protocol error', scanner.errorAt < 0 ? leg : null);
      return;
    }
    this.write(leg, chunk);
    if (leg.observed !== null) this.deliver(leg);
  }

  private write(leg: Leg, data: Buffer): void {
    const to = leg.to;
    if (!to.writable) return;
    to.write(data);
    if (!leg.paused && to.writableLength > this.ctx.highWaterBytes) {
      leg.paused = true;
      leg.from.pause();
      this.ctx.metrics.paused(leg.dir);
    }
  }

  /** Telemetry after the bytes are on their way: the observer never delays a frame. */
  private deliver(leg: Leg): void {
    const observed = leg.observed!;
    leg.observed = null;
    const t = this.ctx.now();
    for (let i = 0; i < observed.length; i += 2) this.observer.message(t, leg.dir, observed[i] as Buffer, observed[i + 1] as boolean);
  }

  /** @internal `socket` wrote out what it held: read the side that writes into it again. */
  drained(socket: Socket): void {
    const writer = socket === this.terminal ? this.outLeg : this.inLeg;
    if (!writer.paused) return;
    writer.paused = false;
    writer.from.resume();
  }

  /** @internal */
  closeFrameSeen(leg: Leg, code: number, reason: Buffer): void {
    if (this.state === open) this.state = closing;
    if (!this.finished) this.finish(code, reason.toString(), leg.side);
    this.armCloseTimer();
  }

  /** @internal `leg.from` sent its FIN: pass it on. */
  ended(leg: Leg): void {
    if (!this.finished) this.finish(1006, '', leg.side);
    if (this.state === open) this.state = closing;
    // After the proxy's own close both FINs are sent already; otherwise the other side gets this one.
    leg.to.end();
    this.armCloseTimer();
  }

  /** @internal */
  socketClosed(leg: Leg, hadError: boolean): void {
    leg.closed = true;
    if (!this.finished) this.finish(1006, '', leg.side);
    if (this.state === open) this.state = closing;
    const other = leg.to;
    if (!other.destroyed) {
      // A reset is passed on as one; a clean close as a FIN after what is still queued.
      if (hadError) other.destroy();
      else other.end();
    }
    other.resume();
    this.armCloseTimer();
    if (this.inLeg.closed && this.outLeg.closed) {
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.ctx.ended(this);
    }
  }

  /**
   * The proxy's own close to both sides (shutdown, or `offender` broke the protocol). A side whose
   * incoming bytes stopped mid-frame cannot be sent a frame: it is dropped instead (it sees 1006).
   * `offender` is set when the offending frame's first bytes were forwarded in an earlier read.
   */
  private proxyClose(code: number, reason: string, offender: Leg | null): void {
    if (this.state === verdict) return;
    this.state = verdict;
    if (!this.finished) this.finish(code, reason, 'proxy');
    this.ctx.logger.debug({ conn: this.conn, code }, 'the proxy closes the pair');
    for (const leg of [this.inLeg, this.outLeg]) {
      const to = leg.to;
      // Read on, so the answers and FINs arrive (and are dropped): the sockets can then close.
      leg.from.resume();
      if (!to.writable) continue;
      if (leg !== offender && leg.scanner.atBoundary()) {
        to.write(closeFrame(code, reason, to === this.upstream, randomMask));
        to.end();
      } else {
        to.destroy();
      }
    }
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null || (this.inLeg.closed && this.outLeg.closed)) return;
    this.closeTimer = setTimeout(() => this.terminate(), this.ctx.closeTimeoutMs);
    this.closeTimer.unref();
  }

  private finish(code: number, reason: string, by: ClosedBy): void {
    this.finished = true;
    // Messages scanned in the same read as the close are the observer's before the close is.
    if (this.inLeg.observed !== null) this.deliver(this.inLeg);
    if (this.outLeg.observed !== null) this.deliver(this.outLeg);
    this.ctx.metrics.closed(code, by);
    this.observer.closed(this.ctx.now(), code, reason, by);
    this.ctx.logger.debug({ conn: this.conn, code, by }, 'pair closed');
  }
}
