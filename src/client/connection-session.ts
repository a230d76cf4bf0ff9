/**
 * What lives exactly as long as one open connection: its heartbeat timer, its pings awaiting a
 * pong, its liveness, and the stability rule that resets the backoff. A new connection gets a new
 * session and the old one is stopped, so a timer of an old connection cannot act on its
 * replacement (ioredis#2148, centrifuge-js#435) — and every callback checks `stopped` in case a
 * clock fires a timer it was just asked to clear.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';

export interface SessionOptions {
  clock: Clock;
  heartbeatIntervalMs: number;
  stableAfterMs: number;
  /** Silence after which the connection is presumed dead (half-open) at the next heartbeat. */
  silentAfterMs: number;
  makePing: (ctx: { seq: number; now: number; rtt: number | undefined }) => string | null;
  isPong: (data: string) => { seq: number } | null;
  /** Sends on this connection; false when it could not. */
  send: (data: string) => boolean;
  /** Ping numbers run on across connections so a pong can never match another connection's ping. */
  nextSeq: () => number;
  lastRtt: () => number | undefined;
  onPong: (seq: number, rttMs: number | undefined) => void;
  /** Up ≥ stableAfterMs and answered a ping: called once per session. */
  onStable: () => void;
  onSilent: () => void;
}

export interface Session {
  readonly openedAt: number;
  /** Time of the last incoming frame (or of the open, before any). */
  readonly lastSeenAt: number;
  /** Any incoming frame proves the peer alive, pong or not (PITFALLS: socket.io#5450). */
  received(data: unknown): void;
  stop(): void;
}

/** Pings remembered for RTT; more would only be pongs that are never coming. */
const maxPendingPings = 8;

export function startSession(o: SessionOptions): Session {
  const openedAt = o.clock.now();
  let lastSeenAt = openedAt;
  let stopped = false;
  let gotPong = false;
  let stableSent = false;
  const pending = new Map<number, number>(); // ping seq → sent at
  let heartbeat: TimerHandle | undefined;
  let stableTimer: TimerHandle | undefined;

  const maybeStable = (): void => {
    if (stopped || stableSent || !gotPong) return;
    if (o.clock.now() - openedAt < o.stableAfterMs) return;
    stableSent = true;
    o.onStable();
  };

  const beat = (): void => {
    heartbeat = undefined;
    if (stopped) return;
    const now = o.clock.now();
    if (now - lastSeenAt >= o.silentAfterMs) {
      o.onSilent();
      return;
    }
    heartbeat = o.clock.setTimeout(beat, o.heartbeatIntervalMs);
    const seq = o.nextSeq();
    const frame = o.makePing({ seq, now, rtt: o.lastRtt() });
    if (frame === null || !o.send(frame)) return;
    pending.set(seq, now);
    if (pending.size > maxPendingPings) pending.delete(pending.keys().next().value as number);
  };

  heartbeat = o.clock.setTimeout(beat, o.heartbeatIntervalMs);
  stableTimer = o.clock.setTimeout(() => {
    stableTimer = undefined;
    maybeStable();
  }, o.stableAfterMs);

  return {
    openedAt,
    get lastSeenAt() {
      return lastSeenAt;
    },
    received(data) {
      if (stopped) return;
      const now = o.clock.now();
      lastSeenAt = now;
      if (typeof data !== 'string') return;
      const pong = o.isPong(data);
      if (!pong) return;
      gotPong = true;
      const sentAt = pending.get(pong.seq);
      // A pong answers its ping and every earlier one still waiting.
      for (const seq of pending.keys()) if (seq <= pong.seq) pending.delete(seq);
      o.onPong(pong.seq, sentAt === undefined ? undefined : now - sentAt);
      maybeStable();
    },
    stop() {
      stopped = true;
      o.clock.clearTimeout(heartbeat);
      o.clock.clearTimeout(stableTimer);
      heartbeat = stableTimer = undefined;
      pending.clear();
    },
  };
}
