/**
 * One simulated terminal's link: a real `ws` WebSocket (bound to the terminal's source address,
 * no compression) wrapped as the resilient socket's `WebSocketLike`, with the terminal's network
 * applied on the way through — each frame delayed by a sampled one-way latency (in order, as TCP
 * would), heartbeats lost with the profile's probability, and two kinds of breakage on command:
 *
 * - `terminate()`: the link drops without a close frame (a flap); both sides see 1006.
 * - `silence()`: a half-open link. Reads are paused and nothing is sent, yet the TCP socket stays
 *   open, so only the gateway's heartbeat timeout (4008) can end it. A close the terminal attempts
 *   meanwhile cannot reach the gateway either: the terminal sees 1006 at once and the TCP socket is
 *   left as it is until `unsilence()` or `destroy()`.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import type { WebSocketLike } from '../../client/socket-types.ts';
import { CloseCode } from '../../protocol/close-codes.ts';
import type { ClosedBy, TerminalTruthEvent } from './truth-events.ts';

/** What the wire asks of its terminal; one object per terminal, shared by all its wires. */
export interface WireLink {
  readonly clock: Clock;
  /** One-way delay for the next frame, ms; 0 delivers at once. */
  delay(): number;
  /** Called for every outbound frame the network carries; false loses it on the way. */
  passes(data: string): boolean;
  /** A frame from the gateway reached a wire whose open is `held`, just before it is delivered. */
  heard(wire: SimWire): void;
  /** The wire is over; `opened` tells a connection from a failed attempt. Called once per wire. */
  ended(wire: SimWire, info: WireEnd): void;
}

export type WireEnd = {
  code: number;
  reason: string;
  by: ClosedBy;
  opened: boolean;
  silent: boolean;
  /** Why an attempt failed, when `ws` said (ECONNREFUSED, a handshake timeout, a 503 …). */
  error?: string;
};

export type WireOptions = { localAddress?: string; handshakeTimeoutMs: number };

type Queued = { at: number; data: string | null };

const OPEN = 1;
const CLOSED = 3;

export class SimWire implements WebSocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  /** Set by the terminal once the connection counts as open: welcomed, or its held open confirmed. */
  authenticated = false;
  /**
   * Set by the terminal at the handshake when the gateway sends no welcome: the open, and the
   * terminal's events on this connection, wait here until the gateway shows it kept the connection.
   */
  held: { attempt: number; events: TerminalTruthEvent[] } | null = null;
  openedAt = 0;
  private readonly ws: WebSocket;
  private readonly link: WireLink;
  private opened = false;
  private silent = false;
  /** Silenced and not heard from since: if it ends now, the silence is why (gateway side: 4008). */
  private silenced = false;
  /** Closed as far as the terminal is concerned (events delivered, `ended` reported). */
  private done = false;
  private closedBy: ClosedBy | null = null;
  private out: Queued[] = [];
  private in: Queued[] = [];
  private outTimer: TimerHandle | undefined;
  private inTimer: TimerHandle | undefined;
  private lastOutAt = 0;
  private lastInAt = 0;
  private closeInfo: { code: number; reason: string } | null = null;
  private error: string | undefined;

  constructor(url: string, protocols: string[], link: WireLink, options: WireOptions) {
    this.link = link;
    this.ws = new WebSocket(url, protocols, {
      perMessageDeflate: false,
      handshakeTimeout: options.handshakeTimeoutMs,
      maxPayload: 1 << 20,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    this.ws.on('open', () => {
      this.opened = true;
      this.openedAt = link.clock.now();
      this.onopen?.({ type: 'open' });
    });
    this.ws.on('message', (data, isBinary) => {
      // Paused sockets may still emit what was already buffered; a blackhole delivers nothing.
      if (this.done || this.silent || isBinary) return;
      this.enqueueIn(data.toString());
    });
    // Every ws socket needs an error listener, or one bad frame crashes the process.
    this.ws.on('error', (error) => {
      this.error ??= ((error as NodeJS.ErrnoException).code ?? error.message).slice(0, 120);
      if (!this.done) this.onerror?.({ type: 'error', message: error.message });
    });
    this.ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      if (this.done) return;
      this.enqueueIn(null);
    });
  }

  get readyState(): number {
    return this.done ? CLOSED : this.ws.readyState;
  }
  get protocol(): string {
    return this.ws.protocol;
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  get isSilent(): boolean {
    return this.silent;
  }

  send(data: string): void {
    if (this.done || this.silent || this.ws.readyState !== OPEN) return;
    if (!this.link.passes(data)) return;
    const delay = this.link.delay();
    if (delay <= 0 && this.out.length === 0) {
      this.ws.send(data);
      return;
    }
    // Never earlier than the frame before: one TCP stream does not reorder.
    const at = Math.max(this.link.clock.now() + delay, this.lastOutAt);
    this.lastOutAt = at;
    this.out.push({ at, data });
    if (this.out.length === 1) this.armOut();
  }

  close(code: number = CloseCode.normal, reason = ''): void {
    if (this.done) return;
    this.closedBy ??= 'client';
    if (this.silent) {
      // The close frame would be lost in the blackhole: the terminal gives up on the link now.
      this.finish(CloseCode.abnormal, '', 'network');
      return;
    }
    this.flushOut();
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(code, reason);
  }

  /** The link drops without a close frame. */
  terminate(): void {
    if (this.done) return;
    this.closedBy ??= 'network';
    this.ws.terminate();
  }

  /** Half-open from now on: no reads, no sends, TCP kept open. Frames in flight are lost. */
  silence(): void {
    if (this.done || this.silent) return;
    this.silent = true;
    this.silenced = true;
    this.out = [];
    this.in = this.in.filter((q) => q.data === null);
    this.link.clock.clearTimeout(this.outTimer);
    this.outTimer = undefined;
    this.ws.pause();
  }

  /** The link works again: reads resume (a connection the gateway ended is found closed now). */
  unsilence(): void {
    if (!this.silent) return;
    this.silent = false;
    if (this.done) this.ws.terminate();
    else this.ws.resume();
  }

  /** Tear down the TCP socket whatever its state (fleet shutdown); reports the end if not yet done. */
  destroy(): void {
    if (!this.done) this.closedBy ??= 'client';
    this.ws.terminate();
    if (!this.done) this.finish(CloseCode.abnormal, '', this.closedBy ?? 'client');
  }

  private enqueueIn(data: string | null): void {
    const delay = data === null ? 0 : this.link.delay();
    if (delay <= 0 && this.in.length === 0) {
      this.deliver(data);
      return;
    }
    const at = Math.max(this.link.clock.now() + delay, this.lastInAt);
    this.lastInAt = at;
    this.in.push({ at, data });
    if (this.in.length === 1) this.armIn();
  }

  private deliver(data: string | null): void {
    if (this.done) return;
    if (data !== null) {
      this.silenced = false;
      if (this.held !== null) this.link.heard(this);
      this.onmessage?.({ data });
      return;
    }
    const info = this.closeInfo ?? { code: CloseCode.abnormal, reason: '' };
    const by: ClosedBy = this.closedBy ?? (info.code === CloseCode.abnormal ? 'network' : 'server');
    this.finish(info.code, info.reason, by);
  }

  private finish(code: number, reason: string, by: ClosedBy): void {
    this.done = true;
    this.link.clock.clearTimeout(this.inTimer);
    this.link.clock.clearTimeout(this.outTimer);
    this.in = [];
    this.out = [];
    const end: WireEnd = { code, reason, by, opened: this.opened, silent: this.silenced };
    if (this.error !== undefined) end.error = this.error;
    this.link.ended(this, end);
    this.onclose?.({ code, reason, wasClean: code !== CloseCode.abnormal });
  }

  private armOut(): void {
    const head = this.out[0];
    if (!head) return;
    this.outTimer = this.link.clock.setTimeout(() => {
      this.outTimer = undefined;
      const now = this.link.clock.now();
      while (this.out.length > 0 && this.out[0]!.at <= now) {
        const q = this.out.shift()!;
        if (this.ws.readyState === OPEN && q.data !== null) this.ws.send(q.data);
      }
      this.armOut();
    }, head.at - this.link.clock.now());
  }

  private armIn(): void {
    const head = this.in[0];
    if (!head) return;
    this.inTimer = this.link.clock.setTimeout(() => {
      this.inTimer = undefined;
      const now = this.link.clock.now();
      while (!this.done && this.in.length > 0 && this.in[0]!.at <= now) this.deliver(this.in.shift()!.data);
      this.armIn();
    }, head.at - this.link.clock.now());
  }

  private flushOut(): void {
    this.link.clock.clearTimeout(this.outTimer);
    this.outTimer = undefined;
    for (const q of this.out) if (this.ws.readyState === OPEN && q.data !== null) this.ws.send(q.data);
    this.out = [];
  }
}
