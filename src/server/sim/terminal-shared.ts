/**
 * What every simulated terminal of one fleet shares: the clock, the recorder, the gateway and how
 * to sign for it, the protocol's timings. One object per fleet, referenced by every terminal,
 * never copied (see terminal-link.ts on per-terminal memory).
 */
import type { Clock } from '../../core/clock.ts';
import type { Recorder } from './recorder.ts';

/** What every terminal of one fleet shares; one object, referenced, never copied. */
export interface TerminalShared {
  clock: Clock;
  recorder: Recorder;
  gatewayUrl: string;
  tokenVia: 'subprotocol' | 'query';
  /** The gateway welcomes each connection; without, the open is held at the handshake (see `hold`). */
  welcome: boolean;
  /** Signs this terminal's good token (re-signed before it expires on long runs). */
  signToken: (tid: string, rid: string) => string;
  /** A token the gateway must refuse with 4001. */
  badToken: (tid: string, rid: string, kind: 'wrong-secret' | 'expired') => string;
  tokenRefreshMs: number;
  heartbeatIntervalMs: number;
  healthThresholds: { degradedAfterMs: number; unhealthyAfterMs: number };
  stableAfterMs: number;
  backoff?: { baseMs?: number; capMs?: number };
  /** Chance, at each heartbeat, that the terminal also submits an order. */
  orderChancePerBeat: number;
  handshakeTimeoutMs: number;
}
