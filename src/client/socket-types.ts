/**
 * The public contract of the resilient socket (DESIGN.md, "The resilient socket"). One core serves
 * the dashboard (browser WebSocket) and the simulated terminals (`ws` in Node); the constructor is
 * injected so this file knows neither.
 */
import type { Clock, Random } from '../core/clock.ts';

/**
 * An event handler whose parameter is checked bivariantly (a method's type, as React's typings
 * do): the browser's `(this: WebSocket, ev: MessageEvent) => any` and `ws`'s own event classes
 * then fit without a cast, while we only ever read the fields named here.
 */
type Handler<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The subset of the WebSocket API that both the browser's and `ws`'s sockets provide. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  readonly bufferedAmount: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string; wasClean?: boolean }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens one socket. `protocols` carries the bearer token (`bearer.<jwt>`). */
export type SocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export type SocketState = 'idle' | 'connecting' | 'open' | 'closing' | 'waiting' | 'failed' | 'closed';
export type Health = 'healthy' | 'degraded' | 'unhealthy';

export type FailReason = 'max_reconnect_reached' | 'token_rejected' | 'forbidden';

export interface ResilientSocketOptions {
  /** Read before every attempt, so a caller can rotate URL or token between attempts. */
  url: string | (() => string);
  protocols?: () => string[];
  createSocket: SocketFactory;
  clock: Clock;
  random: Random;
  /** Backoff policy; defaults 2 s base, 64 s cap (see core/backoff). */
  backoff?: { baseMs?: number; capMs?: number };
  /** Heartbeat interval; default 15 s. */
  heartbeatIntervalMs?: number;
  /** How long a connection must stay up (and have had its first pong) before attempts reset; default 15 s. */
  stableAfterMs?: number;
  /**
   * How long an attempt may stay connecting (TCP + upgrade) before it is dropped and retried. A
   * peer that accepts TCP and never answers the upgrade would otherwise hold the socket connecting
   * for ever: browsers have no handshake timeout, and neither does `ws` by default. Default none
   * (a `ws` caller may use its own `handshakeTimeout`); the dashboard and the ingest client set one.
   */
  connectTimeoutMs?: number;
  /** Attempts before giving up with `max_reconnect_reached`; default Infinity. */
  maxReconnectAttempts?: number;
  /**
   * Builds the heartbeat frame. `rtt` is the last measured round trip (ms), undefined before the
   * first pong. Returning null skips the heartbeat (e.g. a dashboard that relies on the server's).
   */
  makePing?: (ctx: { seq: number; now: number; rtt: number | undefined }) => string | null;
  /**
   * Classifies an incoming frame. A pong must return its ping `seq` so the round trip can be
   * measured. Any incoming frame refreshes liveness, pong or not (PITFALLS: only-pong-is-alive).
   */
  isPong?: (data: string) => { seq: number } | null;
  /**
   * Asked before every attempt; false keeps the socket waiting, with no timer, until `checkNow()`
   * (browser: offline or hidden tab, see browser-hooks). Default: always true.
   */
  canAttempt?: () => boolean;
  /**
   * Silence thresholds for `health()`; defaults 20 s degraded, 30 s unhealthy (core/health).
   * A connection silent for `unhealthyAfterMs` is dropped at the next heartbeat (half-open peer).
   */
  healthThresholds?: { degradedAfterMs?: number; unhealthyAfterMs?: number };
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** ms since this connection opened, or 0 if it never opened. */
  upMs: number;
}

export interface ResilientSocketEvents {
  state: (state: SocketState, prev: SocketState) => void;
  open: (info: { attempt: number; protocol: string }) => void;
  message: (data: string) => void;
  close: (info: CloseInfo) => void;
  /** A reconnect was scheduled: attempt number (1-based since the last reset) and its delay. */
  reconnect_scheduled: (info: { attempt: number; delayMs: number }) => void;
  /** Emitted after each pong with the measured round trip. */
  pong: (info: { seq: number; rttMs: number }) => void;
  failed: (info: { reason: FailReason; code?: number }) => void;
}

export interface ResilientSocket {
  readonly state: SocketState;
  /** Health computed from the clock when read: last message < 20 s healthy, < 30 s degraded. */
  health(): Health;
  /** Last measured ping → pong round trip in ms. */
  readonly lastRttMs: number | undefined;
  /** Reconnect attempts since the last reset. */
  readonly attempts: number;
  /** No-op unless idle, waiting or failed. From failed it is a manual reconnect: attempts reset. */
  connect(): void;
  /** Sends if open; returns false (and sends nothing) otherwise. */
  send(data: string): boolean;
  /** Close the current connection and schedule a reconnect as if it had dropped (for tests/faults). */
  drop(code?: number, reason?: string): void;
  /** Close for good: state closed, no reconnect. `connect()` may start again. */
  close(code?: number, reason?: string): void;
  /** Close and release everything: every timer and listener; never reconnects again. */
  dispose(): void;
  /** Check liveness now (browser `online` / `visibilitychange` → visible): reconnect at once if waiting. */
  checkNow(): void;
  on<E extends keyof ResilientSocketEvents>(event: E, listener: ResilientSocketEvents[E]): () => void;
  /** Listener count across events; stays flat across reconnects (PITFALLS: engine.io-client#693). */
  listenerCount(): number;
}
