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
 */
import type { WebSocket } from 'ws';
import type { Logger } from '../log/logger.ts';
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

/** ws's error codes for a peer that broke the protocol, and the close code ws answers it with. */
const protocolErrorCodes: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** ws refuses to send a code it would not accept (1004–1006, 1015–2999); a received one always passes. */
function closeOrTerminate(leg: WebSocket, code: number, reason: Buffer | string): void {
  try {
    leg.close(code, reason);
  } catch {
    leg.terminate();
  }
}

const binary = { binary: true } as const;
const text = { binary: false } as const;

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
    this.pipe(terminal, upstream, 'in', 'terminal');
    this.pipe(upstream, terminal, 'out', 'upstream');
  }

  /** Bytes queued on both legs, not yet handed to the kernel. */
  bufferedBytes(): number {
    return this.terminal.bufferedAmount + this.upstream.bufferedAmount;
  }

  /** The proxy ends the pair (shutdown): the same code and reason to both legs. */
  closeBoth(code: number, reason: string): void {
    if (this.over) return;
    this.over = true;
    for (const leg of [this.terminal, this.upstream]) {
      leg.resume();
      leg.close(code, reason);
    }
    this.finish(code, reason, 'proxy');
  }

  /** Last resort when a leg does not answer a close within ws's closeTimeout. */
  terminate(): void {
    this.terminal.terminate();
    this.upstream.terminate();
  }

  private pipe(from: WebSocket, to: WebSocket, dir: Direction, side: Side): void {
    const { metrics, highWaterBytes } = this.ctx;
    let paused = false;
    // One callback per direction, run as each write reaches the kernel: reading resumes once what
    // `to` holds is below half the threshold (hysteresis, so it does not flap at the line).
    const flushed = (): void => {
      if (paused && to.bufferedAmount <= highWaterBytes / 2) {
        paused = false;
        if (!this.over) from.resume();
      }
    };
    from.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.over) return;
      metrics.message(dir, data.length);
      this.observer.message(this.ctx.now(), dir, data, isBinary);
      to.send(data, isBinary ? binary : text, flushed);
      if (!paused && to.bufferedAmount > highWaterBytes) {
        paused = true;
        from.pause();
        metrics.paused(dir);
      }
    });
    from.on('ping', (data: Buffer) => this.control(to, dir, data, 'ping'));
    from.on('pong', (data: Buffer) => this.control(to, dir, data, 'pong'));
    from.on('error', (error: Error & { code?: string }) => this.onError(side, to, error));
    from.on('close', (code: number, reason: Buffer) => this.onClose(side, to, code, reason));
  }

  private control(to: WebSocket, dir: Direction, data: Buffer, kind: 'ping' | 'pong'): void {
    if (this.over) return;
    this.ctx.metrics.control(dir);
    try {
      if (kind === 'ping') to.ping(data);
      else to.pong(data);
    } catch {
      // Only thrown while CONNECTING, which neither leg is by now.
    }
  }

  private onError(side: Side, other: WebSocket, error: Error & { code?: string }): void {
    this.ctx.metrics.socketError(side);
    // Resets and other socket errors are followed by 'close' (1006), which forwards them. A protocol
    // error is the proxy's own verdict: ws is closing that leg with its code; the other gets it too.
    if (this.over || !error.code?.startsWith('WS_ERR_')) return;
    this.over = true;
    const code = protocolErrorCodes[error.code] ?? 1002;
    const reason = error.message.slice(0, 120);
    this.ctx.logger.debug({ conn: this.conn, side, code: error.code }, 'protocol error on a leg; closing the pair');
    other.resume();
    closeOrTerminate(other, code, reason);
    this.finish(code, reason, 'proxy');
  }

  private onClose(side: Side, other: WebSocket, code: number, reason: Buffer): void {
    if (!this.over) {
      this.over = true;
      // The other leg may be paused for backpressure: it must read to see the close handshake through.
      other.resume();
      if (code === 1006) other.terminate();
      else if (code === 1005) other.close();
      else closeOrTerminate(other, code, reason);
      this.finish(code, reason.toString(), side);
    }
    if (++this.legsClosed === 2) this.ctx.ended(this);
  }

  private finish(code: number, reason: string, by: ClosedBy): void {
    this.ctx.metrics.closed(code, by);
    this.observer.closed(this.ctx.now(), code, reason, by);
    this.ctx.logger.debug({ conn: this.conn, code, by }, 'pair closed');
  }
}
