/**
 * Ground truth: what the simulated terminals really did, one NDJSON line per event. It is what
 * every number Pulse shows is checked against, so each line states a fact the terminal observed
 * itself (a close code as the terminal saw it, an RTT as it measured it), never a guess.
 *
 * Every line has `t` (ms since epoch, the simulator's clock), `ev`, and for terminal events `rid`
 * and `tid`.
 */

/** Who ended a connection, from the terminal's point of view. */
export type ClosedBy =
  /** The terminal sent the close (outage, shutdown). */
  | 'client'
  /** A close frame came from the gateway (e.g. 1001, 1008, 1009, 4001). */
  | 'server'
  /** No close frame: the link dropped (a flap, a killed gateway, a silenced link that was timed out). */
  | 'network';

type Who = { t: number; rid: string; tid: string };

export type TruthEvent =
  /**
   * When the gateway welcomed the connection; for a gateway without a welcome (fleet option
   * `welcome: false`), its handshake. Such an open is written once confirmed, so its line may
   * follow lines of other terminals with a later `t`; it still precedes every line of its own connection.
   */
  | ({ ev: 'open'; attempt: number } & Who)
  /** `silent`: the connection had been silenced; the gateway should have recorded 4008 for it. */
  | ({ ev: 'close'; code: number; by: ClosedBy; reason: string; upMs: number; silent?: true } & Who)
  /** An attempt that never became a connection (refused, handshake failed, 4001 before any frame); `error` as `ws` gave it. */
  | ({ ev: 'connect_fail'; code: number; error?: string } & Who)
  | ({ ev: 'retry'; attempt: number; delayMs: number } & Who)
  | ({ ev: 'failed'; reason: string; code?: number } & Who)
  /** A heartbeat left the terminal; `lost` means the network dropped it before the gateway. */
  | ({ ev: 'ping'; seq: number; rtt?: number; lost?: true } & Who)
  | ({ ev: 'pong'; seq: number; rtt: number } & Who)
  | ({ ev: 'order_sent'; id: string } & Who)
  | ({ ev: 'order_recv'; seq: number; id: string } & Who)
  | ({ ev: 'ack'; seq: number } & Who)
  /** Abusive frames sent on purpose by a fault (flood, oversize). */
  | ({ ev: 'abuse'; kind: 'flood' | 'oversize'; frames: number; bytes: number } & Who)
  | { ev: 'fault_start'; t: number; fault: string; index: number; restaurants: string[]; terminals: string[] }
  | { ev: 'fault_end'; t: number; fault: string; index: number }
  | { ev: 'note'; t: number; text: string };

export type TruthEventType = TruthEvent['ev'];
export type TerminalTruthEvent = Extract<TruthEvent, { tid: string }>;
