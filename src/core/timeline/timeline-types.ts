/**
 * The shapes of a terminal's connection timeline (DESIGN.md, "The dashboard → Terminal"): what
 * `buildTimeline` makes of a terminal's lifecycle events and samples, and what `diagnose`, the
 * terminal view and the exports read. Times are ms since epoch on the gateway's clock.
 */
import type { BackoffPolicy } from '../backoff.ts';
import type { CloseCause } from '../../protocol/close-codes.ts';
import type { LimitKind } from '../../protocol/probe-events.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';

/**
 * Samples are the minimal shapes the timeline needs, so that the probe's events and the live
 * stream's beats (mapped) both fit; `gw` only sharpens de-duplication. Heartbeat samples are
 * optional extras (a page's poll of the terminal's last heartbeat): they add RTT points and the
 * last heartbeat, while the heartbeat strip comes from lifecycle records (heartbeat-strip.ts).
 */
export type HeartbeatSample = { type: 'heartbeat'; t: number; conn: string; onTime: boolean; rtt?: number; gw?: string };
export type AckSample = { type: 'ack'; t: number; conn: string; latencyMs: number; seq?: number; gw?: string };
/** One message in either direction. */
export type TrafficSample = { type: 'traffic'; t: number; conn: string; dir: 'in' | 'out'; gw?: string };

export type TimelineEvent = LifecycleEvent | HeartbeatSample | AckSample | TrafficSample;

export type ConnectionState = 'connected' | 'disconnected' | 'unknown';

/** A close, or a refused token (the handshake's 4001), as the timeline shows it. */
export interface Disconnect {
  t: number;
  source: 'close' | 'auth_fail';
  code: number;
  cause: CloseCause;
  /** The close reason, or for a refused token why it was refused (`expired`, `bad_signature`…). */
  reason: string;
  byServer: boolean;
  /** The connection that closed; null for a refused token (it never became one). */
  conn: string | null;
  /** How long the connection had been up; null for a refused token. */
  durationMs: number | null;
  /** The limit hit that led to this close, when the probe reported one. */
  limit: { kind: LimitKind; detail: string } | null;
  /**
   * True when it did not end the terminal's current connection: the terminal had already opened
   * a newer one (a half-open connection the gateway buried late), or the gateway still held one.
   */
  overlapping: boolean;
}

export type Segment =
  | { state: 'connected'; start: number; end: number; conn: string; openedAt: number; ongoing: boolean; inferred: boolean }
  | { state: 'disconnected'; start: number; end: number; by: Disconnect; ongoing: boolean }
  | { state: 'unknown'; start: number; end: number; ongoing: boolean };

export type AttemptFlag = 'backoff_not_respected';

/** An open or a refused token after a close: one reconnect attempt of the terminal. */
export interface Attempt {
  t: number;
  kind: 'open' | 'auth_fail';
  conn: string | null;
  /** 0-based since the last stable connection (up ≥ 15 s), as the resilient socket counts. */
  attempt: number;
  /** Since the previous close or refused token; null when that moment is not known. */
  delayMs: number | null;
  /** The close code the attempt followed, when known. */
  afterCode: number | null;
  /** The policy's range for this attempt (src/core/backoff.ts). */
  minMs: number;
  maxMs: number;
  /**
   * False when the delay says nothing about the terminal's backoff: after a heartbeat timeout the
   * gateway learns of the death ~35 s late (the terminal may have waited long before), after a
   * terminal's own orderly close it reconnects on purpose, and an overlapping open has no delay.
   */
  judged: boolean;
  flags: AttemptFlag[];
}

/** `unknown`: the connection closed (not 4008) before a late ping or a 4008 could tell (heartbeat-strip.ts). */
export type HeartbeatStatus = 'on_time' | 'late' | 'missed' | 'unknown';

/** One expected heartbeat interval of a connection. */
export interface HeartbeatCell {
  start: number;
  end: number;
  conn: string;
  status: HeartbeatStatus;
}

export interface SeriesPoint {
  t: number;
  v: number;
}

/** A latency series: points for the chart (downsampled) and figures from every sample. */
export interface LatencySeries {
  points: SeriesPoint[];
  count: number;
  mean: number | null;
  p95: number | null;
}

export interface Timeline {
  from: number;
  to: number;
  /** Where the timeline stops: `to`, or `now` when the window reaches into the future. */
  end: number;
  /** The window reaches now (`to` ≥ `now`): its end is the present, and it may still grow. */
  live: boolean;
  heartbeatIntervalMs: number;
  graceMs: number;
  /** Contiguous, clipped to [from, end), in time order. */
  segments: Segment[];
  /** Every close and refused token in [from, end), in order. */
  disconnects: Disconnect[];
  /** Reconnect attempts in [from, end), in order. */
  attempts: Attempt[];
  heartbeats: {
    cells: HeartbeatCell[];
    counts: Record<HeartbeatStatus, number>;
    /**
     * The latest heartbeat known at or before `end`: a sample, a late record, or the end of the
     * last on-time cell (whose ping arrived then, up to the drift of the cells' chain); null if none.
     */
    lastAt: number | null;
  };
  rtt: LatencySeries;
  latency: LatencySeries;
  /** Messages counted from traffic samples; null when none were given. */
  traffic: { messages: number } | null;
  /**
   * Pings in [from, end) whose reported RTT could not be real (`rtt_implausible` records): no RTT
   * figure holds them; `lastRtt` is the last such report, as sent. Null when there were none.
   */
  implausibleRtt: { pings: number; firstAt: number; lastAt: number; lastRtt: number } | null;
  /** Time in the window by state. */
  ms: Record<ConnectionState, number>;
  /** The state at `end`, with when it began (possibly before `from`). */
  current: { state: ConnectionState; since: number | null; conn: string | null; by: Disconnect | null };
  /** The lifecycle events in [from, to): de-duplicated, in time order (what the exports hold). */
  events: LifecycleEvent[];
}

export interface TimelineOptions {
  events: readonly TimelineEvent[];
  from: number;
  to: number;
  now: number;
  heartbeatIntervalMs?: number;
  graceMs?: number;
  /**
   * From when heartbeat samples are complete: a connection that opened after it and closed before
   * its first sampled (or late) heartbeat never got a pong, so its attempts are not reset. Default:
   * the beginning of time when any heartbeat sample is given, else never (a pong is assumed).
   */
  heartbeatsFrom?: number;
  /**
   * Late-heartbeat records are complete up to here (the store answered at about this time); a
   * connection's intervals after it are not judged yet. Default `now`.
   */
  recordsUntil?: number;
  /** A connection up this long resets the attempt count (the socket's `stableAfterMs`). */
  stableAfterMs?: number;
  /** The terminals' reconnect policy (default 2 s → 64 s); tests and compressed fleets change it. */
  backoff?: Partial<BackoffPolicy>;
  /** A delay below the policy minimum by more than this share is flagged. */
  backoffTolerance?: number;
  /** Points per latency series at most. */
  maxPoints?: number;
}
