/**
 * A simulated POS terminal on its link: a resilient socket (the same client core the dashboard
 * uses) whose links are `SimWire`s carrying the terminal's network profile. It speaks the real
 * protocol — heartbeat pings with the last RTT, an ack for every order update, now and then an
 * order of its own — and records what it really saw as ground truth. What the faults change
 * (silence, a bad token, another profile, a bypassed backoff) is state here that the link obeys;
 * the faults themselves are SimTerminal's (sim-terminal.ts).
 *
 * Per-terminal state is a handful of fields: at ~19,000 terminals a process, every closure counts,
 * so the terminal is itself the wire's `WireLink` and owns at most one timer (a flap or a bypassed
 * backoff) beyond the socket's own. That is why the split is a base class and not a helper object:
 * one object per terminal either way.
 */
import type { Clock, Random, TimerHandle } from '../../core/clock.ts';
import { createResilientSocket } from '../../client/resilient-socket.ts';
import type { ResilientSocket, SocketState } from '../../client/socket-types.ts';
import { makePosPing } from '../../client/pos-heartbeat.ts';
import { CloseCode } from '../../protocol/close-codes.ts';
import { decodeGatewayMessage, encodeMessage } from '../../protocol/codec.ts';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';
import type { OrderPayload } from '../../protocol/pos-messages.ts';
import type { PlannedTerminal } from './fleet-plan.ts';
import { drawBaseRtt, drawFlapDelay, drawLoss, drawOneWayDelay } from './network-profile.ts';
import type { NetworkProfile } from './network-profile.ts';
import type { Recorder } from './recorder.ts';
import { SimWire } from './sim-wire.ts';
import type { WireEnd, WireLink } from './sim-wire.ts';
import type { TerminalShared } from './terminal-shared.ts';

const orderStatuses: OrderPayload['status'][] = ['open', 'sent', 'preparing', 'ready', 'served', 'paid'];

export abstract class TerminalLink implements WireLink {
  readonly rid: string;
  readonly tid: string;
  readonly index: number;
  readonly clock: Clock;
  protected readonly shared: TerminalShared;
  protected readonly sourceAddress: string;
  protected readonly random: Random;
  protected readonly socket: ResilientSocket;
  protected readonly normalProfile: NetworkProfile;
  protected readonly normalRttMs: number;
  protected profile: NetworkProfile;
  protected baseRttMs: number;
  protected goodToken: string | null = null;
  protected goodTokenAt = 0;
  protected badToken: string | null = null;
  protected wire: SimWire | null = null;
  /** Silenced links the terminal gave up on; their TCP sockets stay open until the silence ends. */
  protected orphans: SimWire[] | null = null;
  protected pendingPing: { frame: string; seq: number; rtt: number | undefined } | null = null;
  protected outSeq = 0;
  protected orders = 0;
  protected silent = false;
  /** An attempt was refused by `canAttempt`: the socket waits, without a timer, for `checkNow()`. */
  protected blocked = false;
  protected ignoreBackoff: { delayMs: number; upMs: number } | null = null;
  protected timer: TimerHandle | undefined;

  constructor(plan: PlannedTerminal, shared: TerminalShared, profile: NetworkProfile, random: Random) {
    this.rid = plan.rid;
    this.tid = plan.tid;
    this.index = plan.index;
    this.sourceAddress = plan.sourceAddress;
    this.shared = shared;
    this.clock = shared.clock;
    this.random = random;
    this.profile = this.normalProfile = profile;
    this.baseRttMs = this.normalRttMs = drawBaseRtt(profile, random);
    this.socket = createResilientSocket({
      url: () => this.url(),
      protocols: () => (shared.tokenVia === 'query' ? [] : [posSubprotocol, bearerPrefix + this.token()]),
      createSocket: (url, protocols) => {
        // A timer armed for the previous link (flap, bypassed backoff) has nothing to do with this one.
        this.clearTimer();
        const wire = new SimWire(url, protocols, this, { localAddress: this.sourceAddress, handshakeTimeoutMs: shared.handshakeTimeoutMs });
        this.wire = wire;
        return wire;
      },
      clock: shared.clock,
      random,
      heartbeatIntervalMs: shared.heartbeatIntervalMs,
      healthThresholds: shared.healthThresholds,
      stableAfterMs: shared.stableAfterMs,
      ...(shared.backoff ? { backoff: shared.backoff } : {}),
      makePing: (ctx) => this.makePing(ctx),
      canAttempt: () => {
        if (this.silent) this.blocked = true;
        return !this.silent;
      },
    });
    if (!shared.welcome) this.socket.on('open', ({ attempt }) => this.hold(attempt));
    this.socket.on('message', (data) => this.onMessage(data));
    this.socket.on('pong', ({ seq, rttMs }) => {
      this.record({ ev: 'pong', t: this.clock.now(), rid: this.rid, tid: this.tid, seq, rtt: rttMs });
    });
    this.socket.on('reconnect_scheduled', ({ attempt, delayMs }) => this.onRetryScheduled(attempt, delayMs));
    this.socket.on('failed', ({ reason, code }) => {
      const e = { ev: 'failed' as const, t: this.clock.now(), rid: this.rid, tid: this.tid, reason };
      this.record(code === undefined ? e : { ...e, code });
    });
  }

  get state(): SocketState {
    return this.socket.state;
  }
  /** Open: welcomed by the gateway, or (no welcome) a held open confirmed. */
  get connected(): boolean {
    return this.wire !== null && this.wire.authenticated;
  }
  get networkProfile(): NetworkProfile {
    return this.profile;
  }
  get lastRttMs(): number | undefined {
    return this.socket.lastRttMs;
  }

  start(): void {
    this.socket.connect();
  }

  // ---- WireLink: the terminal's network, applied by its wires ----------------------------

  delay(): number {
    return drawOneWayDelay(this.baseRttMs, this.profile, this.random);
  }

  passes(data: string): boolean {
    const ping = this.pendingPing;
    if (ping === null || data !== ping.frame) return true;
    this.pendingPing = null;
    const lost = drawLoss(this.profile, this.random);
    const e = { ev: 'ping' as const, t: this.clock.now(), rid: this.rid, tid: this.tid, seq: ping.seq };
    const ev = { ...e, ...(ping.rtt === undefined ? {} : { rtt: ping.rtt }), ...(lost ? { lost: true as const } : {}) };
    // Pings go out on the current wire; while its open is held, so is their truth.
    const held = this.wire?.held;
    if (held) held.events.push(ev);
    else this.record(ev);
    return !lost;
  }

  heard(wire: SimWire): void {
    this.confirm(wire);
  }

  ended(wire: SimWire, info: WireEnd): void {
    if (wire === this.wire) {
      this.wire = null;
      this.clearTimer();
    }
    if (wire.held) {
      // A 4001 before any frame is a refused token: the attempt never was a connection, and the
      // gateway processed nothing, so the pings it held are dropped with it (none should count
      // as heartbeats). Any other end shows the gateway had kept the connection.
      if (info.code === CloseCode.invalidToken) wire.held = null;
      else this.confirm(wire);
    }
    if (wire.isSilent) (this.orphans ??= []).push(wire);
    const t = this.clock.now();
    if (wire.authenticated) {
      const e = { ev: 'close' as const, t, rid: this.rid, tid: this.tid, code: info.code, by: info.by, reason: info.reason, upMs: t - wire.openedAt };
      this.record(info.silent ? { ...e, silent: true } : e);
    } else {
      const e = { ev: 'connect_fail' as const, t, rid: this.rid, tid: this.tid, code: info.code };
      this.record(info.error === undefined ? e : { ...e, error: info.error });
    }
  }

  /** The link drops without a close frame (both sides see 1006); the socket backs off as usual. */
  flap(): void {
    if (this.wire?.authenticated) this.wire.terminate();
  }

  // ---- protocol ----------------------------------------------------------------------------

  /**
   * No welcome: at the handshake the terminal cannot yet tell a kept connection from a refused
   * token (the gateway accepts, then closes 4001). The open waits on the wire until the gateway's
   * first frame or an end other than 4001 confirms it (`confirm`), or a 4001 refuses it (`ended`).
   */
  private hold(attempt: number): void {
    const wire = this.wire;
    if (wire && !wire.authenticated && wire.held === null) wire.held = { attempt, events: [] };
  }

  /** The held open becomes the truth, at the handshake's time (the fact), before what it held. */
  private confirm(wire: SimWire): void {
    const held = wire.held;
    if (held === null) return;
    wire.held = null;
    wire.authenticated = true;
    this.record({ ev: 'open', t: wire.openedAt, rid: this.rid, tid: this.tid, attempt: held.attempt });
    for (const e of held.events) this.record(e);
    if (wire === this.wire) this.armLinkTimer();
  }

  private url(): string {
    if (this.shared.tokenVia !== 'query') return this.shared.gatewayUrl;
    const sep = this.shared.gatewayUrl.includes('?') ? '&' : '?';
    return `${this.shared.gatewayUrl}${sep}token=${encodeURIComponent(this.token())}`;
  }

  private token(): string {
    if (this.badToken !== null) return this.badToken;
    const now = this.clock.now();
    if (this.goodToken === null || now - this.goodTokenAt > this.shared.tokenRefreshMs) {
      this.goodToken = this.shared.signToken(this.tid, this.rid);
      this.goodTokenAt = now;
    }
    return this.goodToken;
  }

  private makePing(ctx: { seq: number; now: number; rtt: number | undefined }): string {
    if (this.shared.orderChancePerBeat > 0 && this.random() < this.shared.orderChancePerBeat) this.submitOrder();
    const frame = makePosPing(ctx);
    this.pendingPing = { frame, seq: ctx.seq, rtt: ctx.rtt === undefined ? undefined : Math.round(ctx.rtt) };
    return frame;
  }

  /**
   * The socket believes a silenced link is open and would "send" into the blackhole; the truth
   * must not claim frames that never left, so the terminal checks its own link first.
   */
  protected canSend(): boolean {
    return this.wire !== null && this.wire.authenticated && !this.wire.isSilent;
  }

  private submitOrder(): void {
    if (!this.canSend()) return;
    const n = ++this.orders;
    const id = `${this.tid}-o${n}`;
    const qty = 1 + Math.floor(this.random() * 4);
    const order: OrderPayload = {
      id,
      status: orderStatuses[Math.floor(this.random() * orderStatuses.length)] ?? 'open',
      table: `T${1 + Math.floor(this.random() * 30)}`,
      items: [{ name: 'Margherita', qty }],
      totalCents: qty * 1150,
    };
    if (this.socket.send(encodeMessage({ type: 'order', seq: this.outSeq++, timestamp: Math.floor(this.clock.now()), order }))) {
      this.record({ ev: 'order_sent', t: this.clock.now(), rid: this.rid, tid: this.tid, id });
    }
  }

  private onMessage(data: string): void {
    // Pongs are the bulk of the traffic and are recorded from the socket's `pong` event.
    if (data.startsWith('{"type":"pong"')) return;
    const decoded = decodeGatewayMessage(data);
    if (!decoded.ok) return;
    const msg = decoded.value;
    const wire = this.wire;
    switch (msg.type) {
      case 'welcome':
        if (!wire || wire.authenticated) return;
        wire.authenticated = true;
        // The socket's attempt count is still the one this connection was opened with: it resets
        // only once the connection has been up for `stableAfterMs`, long after the welcome.
        this.record({ ev: 'open', t: this.clock.now(), rid: this.rid, tid: this.tid, attempt: this.socket.attempts });
        this.armLinkTimer();
        return;
      case 'order': {
        const t = this.clock.now();
        this.record({ ev: 'order_recv', t, rid: this.rid, tid: this.tid, seq: msg.seq, id: msg.order.id });
        if (this.socket.send(encodeMessage({ type: 'ack', seq: msg.seq, timestamp: Math.floor(t) }))) {
          this.record({ ev: 'ack', t, rid: this.rid, tid: this.tid, seq: msg.seq });
        }
        return;
      }
      case 'pong':
      case 'error':
        return;
    }
  }

  private onRetryScheduled(attempt: number, delayMs: number): void {
    const bypass = this.ignoreBackoff;
    this.record({ ev: 'retry', t: this.clock.now(), rid: this.rid, tid: this.tid, attempt, delayMs: Math.round(bypass ? bypass.delayMs : delayMs) });
    if (!bypass) return;
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.socket.checkNow();
    }, bypass.delayMs);
  }

  /** While connected, at most one timer: the next flap of its profile, or an abuser's short uptime. */
  protected armLinkTimer(): void {
    this.clearTimer();
    const delay = this.ignoreBackoff ? this.ignoreBackoff.upMs : drawFlapDelay(this.profile, this.random);
    if (delay === null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flap();
    }, delay);
  }

  protected clearTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected record(e: Parameters<Recorder['record']>[0]): void {
    this.shared.recorder.record(e);
  }
}
