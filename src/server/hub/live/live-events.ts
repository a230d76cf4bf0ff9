/**
 * Lifecycle events as the feed carries them: numbered, and rebuilt field by field, so whatever a
 * source's objects carry beyond the wire contract (a probe's `via`, an adapter's internals) never
 * reaches a viewer, and terminal-provided text is cut to the contract's bound instead of making
 * the viewer's decoder reject the whole frame.
 */
import type { LiveEvent } from '../../../protocol/live.ts';
import type { ProbeEventOf } from '../../../protocol/probe-events.ts';
import { isRawProbeEvent, type LifecycleEvent, type RawProbeType } from '../../../protocol/telemetry.ts';

/** What the feed shows: opens, closes, refused tokens and limit hits. */
export type FeedEvent = ProbeEventOf<RawProbeType>;

/**
 * Late heartbeats (and implausible RTTs) stay out of the feed: a slow network would flood it with them, and the terminal
 * view reads them from the store (`GET /api/terminals/:tid/events`).
 */
export function isFeedEvent(e: LifecycleEvent): e is FeedEvent {
  return e.type !== 'heartbeat_late' && e.type !== 'rtt_implausible' && isRawProbeEvent(e);
}

const maxText = 200;
const clip = (s: string): string => (s.length > maxText ? s.slice(0, maxText) : s);

export function numberEvent(e: FeedEvent, id: number): LiveEvent {
  const base = { id, gw: clip(e.gw), t: e.t };
  switch (e.type) {
    case 'open':
      return { type: 'open', ...base, rid: e.rid, tid: e.tid, conn: clip(e.conn) };
    case 'close':
      return {
        type: 'close',
        ...base,
        rid: e.rid,
        tid: e.tid,
        conn: clip(e.conn),
        code: e.code,
        cause: e.cause,
        reason: clip(e.reason),
        byServer: e.byServer,
        durationMs: e.durationMs,
      };
    case 'auth_fail':
      // No rid: its claims are unverified, and a rid would put it in that restaurant's manager's
      // feed (a forged token then reads as that restaurant's fault). Fleet-wide viewers see it.
      return { type: 'auth_fail', ...base, reason: e.reason };
    case 'limit':
      return { type: 'limit', ...base, rid: e.rid, tid: e.tid, conn: clip(e.conn), kind: e.kind, detail: clip(e.detail) };
  }
}
