/**
 * A terminal's lifecycle events as the view gets them: pages of `GET /api/terminals/:tid/events`
 * (docs/api.md; decoded with `eventsPageAnswerSchema`, an event that breaks the contract fails the
 * page), and the live feed's events of the same terminal, which bridge the seconds between two
 * fetches.
 */
import { timelinePolicy, type TimelinePolicy } from '../../../../core/timeline/timeline-policy.ts';
import type { EventsPageAnswer, TimelinePolicyWire } from '../../../../protocol/api.ts';
import type { LiveEvent } from '../../../../protocol/live.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';

/**
 * The rules the timeline judges by, as the hub states them (`policy` in the answer: a fleet run
 * with compressed heartbeats and backoff, as the end-to-end tests do).
 */
export type ViewPolicy = TimelinePolicy;

/** DESIGN.md's rules: what the view judges by until the hub has stated its own. */
export const defaultPolicy: ViewPolicy = timelinePolicy();

/** The stated policy through core's checks (a cap below the base, say, reads as the base). */
export function policyOf(wire: TimelinePolicyWire): ViewPolicy {
  return timelinePolicy({
    heartbeatIntervalMs: wire.heartbeatIntervalMs,
    heartbeatGraceMs: wire.graceMs,
    stableAfterMs: wire.stableAfterMs,
    backoff: { baseMs: wire.backoffBaseMs, capMs: wire.backoffCapMs },
  });
}

export interface EventsPage {
  tid: string;
  /** The terminal's restaurant, as the hub knows it. */
  rid: string;
  from: number;
  to: number;
  events: LifecycleEvent[];
  /** More events in the window than the page held: ask again from the last one's time. */
  more: boolean;
  policy: ViewPolicy;
}

/** A decoded answer as the view's page. */
export function eventsPageOf(answer: EventsPageAnswer): EventsPage {
  return { tid: answer.tid, rid: answer.rid, from: answer.from, to: answer.to, events: answer.events, more: answer.more, policy: policyOf(answer.policy) };
}

/** Pages of one window, joined: a later page starts at the previous one's last time (inclusive). */
export function joinPages(pages: readonly EventsPage[]): EventsPage | null {
  const first = pages[0];
  const last = pages.at(-1);
  if (!first || !last) return null;
  return {
    ...first,
    to: last.to,
    events: pages.flatMap((p) => p.events),
    more: last.more,
  };
}

/**
 * A live feed event in the store's shape. The live wire leaves out an open's `via`; the timeline
 * never reads it, and exports refetch from the store rather than use these.
 */
export function lifecycleOfLive(e: LiveEvent): LifecycleEvent {
  switch (e.type) {
    case 'open':
      return { type: 'open', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, via: 'subprotocol' };
    case 'close':
      return { type: 'close', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, code: e.code, cause: e.cause, reason: e.reason, byServer: e.byServer, durationMs: e.durationMs };
    case 'auth_fail': {
      const out: LifecycleEvent = { type: 'auth_fail', gw: e.gw, t: e.t, reason: e.reason };
      // A refused token is nobody's: its claims are labels (src/protocol/probe-events.ts).
      if (e.rid !== undefined) out.claimedRid = e.rid;
      if (e.tid !== undefined) out.claimedTid = e.tid;
      return out;
    }
    case 'limit':
      return { type: 'limit', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, kind: e.kind, detail: e.detail };
  }
}

/**
 * The live events of `tid` newer than what the store answered up to (`after`). With the terminal's
 * restaurant (`rid`, once the hub named it), a refused token counts only when it claimed that
 * restaurant too, as the hub's page reads them: terminal ids are per restaurant.
 */
export function liveEventsOf(tid: string, entries: readonly { event: LiveEvent }[], after: number, rid?: string | null): LifecycleEvent[] {
  const out: LifecycleEvent[] = [];
  for (const { event } of entries) {
    if (event.tid !== tid || event.t < after) continue;
    // Another restaurant's terminal of the same id is another terminal (issue 18, item 3); a
    // refused token's claims count when they name this restaurant.
    if (rid != null && event.rid !== rid && (event.type !== 'auth_fail' || event.rid !== undefined)) continue;
    out.push(lifecycleOfLive(event));
  }
  return out;
}
