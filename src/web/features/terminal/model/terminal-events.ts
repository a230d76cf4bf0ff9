/**
 * A terminal's lifecycle events as the view gets them: pages of `GET /api/terminals/:tid/events`
 * (docs/api.md), checked event by event against the wire contract, and the live feed's events of
 * the same terminal, which bridge the seconds between two fetches.
 */
import { timelinePolicy, type TimelinePolicy } from '../../../../core/timeline/timeline-policy.ts';
import type { LiveEvent } from '../../../../protocol/live.ts';
import { lifecycleEventSchema, type LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { asArray, asObject, num, str } from '../../../lib/parse.ts';

/**
 * The rules the timeline judges by, as the hub states them (`policy` in the answer: a fleet run
 * with compressed heartbeats and backoff, as the end-to-end tests do); DESIGN.md's defaults for
 * whatever it leaves out (an older hub).
 */
export type ViewPolicy = TimelinePolicy;

export const defaultPolicy: ViewPolicy = timelinePolicy();

export function policyOf(raw: unknown): ViewPolicy {
  const o = asObject(raw) ?? {};
  const ms = (v: unknown): number | undefined => num(v) ?? undefined;
  return timelinePolicy({
    heartbeatIntervalMs: ms(o.heartbeatIntervalMs),
    heartbeatGraceMs: ms(o.graceMs),
    stableAfterMs: ms(o.stableAfterMs),
    backoff: { baseMs: ms(o.backoffBaseMs), capMs: ms(o.backoffCapMs) },
  });
}

export interface EventsPage {
  tid: string;
  /** The terminal's restaurant, as the hub knows it. */
  rid: string | null;
  from: number;
  to: number;
  events: LifecycleEvent[];
  /** More events in the window than the page held: ask again from the last one's time. */
  more: boolean;
  /** Entries that did not match the contract, left out (and counted, so it is not silent). */
  invalid: number;
  policy: ViewPolicy;
}

export function parseEventsPage(raw: unknown): EventsPage {
  const o = asObject(raw) ?? {};
  const events: LifecycleEvent[] = [];
  let invalid = 0;
  for (const item of asArray(o.events)) {
    const parsed = lifecycleEventSchema.safeParse(item);
    if (parsed.success) events.push(parsed.data);
    else invalid++;
  }
  return {
    tid: str(o.tid) ?? '',
    rid: str(o.rid),
    from: num(o.from) ?? 0,
    to: num(o.to) ?? 0,
    events,
    more: o.more === true,
    invalid,
    policy: policyOf(o.policy),
  };
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
    invalid: pages.reduce((n, p) => n + p.invalid, 0),
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
      if (e.rid !== undefined) out.rid = e.rid;
      if (e.tid !== undefined) out.tid = e.tid;
      return out;
    }
    case 'limit':
      return { type: 'limit', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, kind: e.kind, detail: e.detail };
  }
}

/** The live events of `tid` newer than what the store answered up to (`after`). */
export function liveEventsOf(tid: string, entries: readonly { event: LiveEvent }[], after: number): LifecycleEvent[] {
  const out: LifecycleEvent[] = [];
  for (const { event } of entries) if (event.tid === tid && event.t >= after) out.push(lifecycleOfLive(event));
  return out;
}
