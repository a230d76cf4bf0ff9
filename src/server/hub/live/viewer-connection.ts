/**
 * One dashboard connection: its scope, position in the stream, watched terminals, liveness and
 * flow control. Sending never waits: a frame goes to `ws`'s buffer, and a viewer whose buffer
 * stays above the bound is cut (see `isSlow`) instead of making the hub wait for it.
 */
import type { WebSocket } from 'ws';
import type { ViewerClaims } from '../../auth/tokens.ts';
import type { ViewerInterest } from './viewer-interest.ts';
import type { Scope } from './viewer-scope.ts';

export interface SendCounters {
  framesSent: number;
  bytesSent: number;
}

/** Viewer messages are rare (watch, ping, resume); a burst above this is a bug or an attack. */
const bucketCapacity = 20;
const refillPerSecond = 10;

export class ViewerConnection {
  /** Seq of the last snapshot or delta sent: what `pong`, `error` and `terminal_events` carry. */
  position = 0;
  /** Watched terminals by `terminalKey(rid, tid)` (rid '' for an engineer's watch of an id not known yet). */
  readonly watches = new Map<string, { rid: string | undefined; tid: string }>();
  /** Null until the viewer sends `interest`: until then it gets every patch (protocol/live.ts). */
  interest: ViewerInterest | null = null;
  /** Cleared by each heartbeat sweep, set again by a pong or any message. */
  alive = true;
  /** False once the viewer is cut, refused or closed: nothing more is queued for it. */
  open = true;
  private tokens = bucketCapacity;
  private refilledAt: number;

  constructor(
    readonly ws: WebSocket,
    readonly claims: ViewerClaims,
    readonly scope: Scope,
    private readonly counters: SendCounters,
    now: number,
  ) {
    this.refilledAt = now;
  }

  /** `bytes` is passed in because a frame shared by many viewers is measured once. */
  send(text: string, bytes: number): void {
    if (!this.open) return;
    this.ws.send(text);
    this.counters.framesSent++;
    this.counters.bytesSent += bytes;
  }

  /** Sends a snapshot or delta and moves the position to its seq. */
  sendStream(text: string, bytes: number, seq: number): void {
    this.send(text, bytes);
    this.position = Math.max(this.position, seq);
  }

  /** More bytes queued than allowed: the viewer did not drain what the last tick sent. */
  isSlow(maxBufferedBytes: number): boolean {
    return this.ws.bufferedAmount > maxBufferedBytes;
  }

  /** Token bucket: false when the viewer sends faster than a dashboard ever needs to. */
  allowMessage(now: number): boolean {
    this.tokens = Math.min(bucketCapacity, this.tokens + ((now - this.refilledAt) / 1000) * refillPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  tokenExpired(now: number): boolean {
    return now >= this.claims.exp * 1000;
  }
}
