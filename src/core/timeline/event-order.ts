/**
 * Putting a terminal's events in order. Telemetry is delivered at least once and frames from
 * several gateways interleave, so the same event can come twice and a close can arrive before
 * the open that preceded it; the timeline is built from one de-duplicated, time-ordered list.
 */
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import type { TimelineEvent } from './timeline-types.ts';

/**
 * What makes two deliveries the same event: type, gateway, connection, time and code (or what
 * stands in for a code). `conn` is unique per gateway only, hence the gateway.
 */
export function eventIdentity(e: TimelineEvent): string | null {
  const gw = e.gw ?? '';
  switch (e.type) {
    case 'open':
      return `open|${gw}|${e.conn}|${e.t}`;
    case 'close':
      return `close|${gw}|${e.conn}|${e.t}|${e.code}`;
    case 'limit':
      return `limit|${gw}|${e.conn}|${e.t}|${e.kind}`;
    case 'auth_fail':
      return `auth_fail|${gw}|${e.claimedTid ?? ''}|${e.t}|${e.reason}`;
    case 'heartbeat_late':
      return `heartbeat_late|${gw}|${e.conn}|${e.t}`;
    case 'rtt_implausible':
      return `rtt_implausible|${gw}|${e.conn}|${e.t}`;
    case 'heartbeat':
      return `heartbeat|${gw}|${e.conn}|${e.t}`;
    case 'ack':
      return `ack|${gw}|${e.conn}|${e.t}|${e.seq ?? ''}`;
    case 'traffic':
      // Two messages in the same millisecond are two messages: traffic has no identity, and it
      // never travels raw on the bus (the probe sums it), so it is not redelivered either.
      return null;
  }
}

/**
 * Within one millisecond: a limit before the close it caused, a ping (late or with an implausible
 * RTT) before the close that followed it, closes before the opens they provoked.
 */
const rank: Record<TimelineEvent['type'], number> = { limit: 0, heartbeat_late: 1, rtt_implausible: 1, close: 2, auth_fail: 3, open: 4, heartbeat: 5, ack: 6, traffic: 7 };

function connOf(e: TimelineEvent): string | undefined {
  return e.type === 'auth_fail' ? undefined : e.conn;
}

/** Time order, with the tie rules above. */
export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.t !== b.t) return a.t - b.t;
  // A connection that opened and closed in the same millisecond opened first.
  const conn = connOf(a);
  if (conn !== undefined && conn === connOf(b)) {
    if (a.type === 'open' && b.type !== 'open') return -1;
    if (b.type === 'open' && a.type !== 'open') return 1;
  }
  return rank[a.type] - rank[b.type];
}

/** The events without repeats, in time order (stable for ties the rules above leave). */
export function orderEvents<T extends TimelineEvent>(events: readonly T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const e of events) {
    if (!Number.isFinite(e.t)) continue;
    const id = eventIdentity(e);
    if (id !== null) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    out.push(e);
  }
  return out.sort(compareEvents);
}

export function isLifecycle(e: TimelineEvent): e is LifecycleEvent {
  return e.type === 'open' || e.type === 'close' || e.type === 'auth_fail' || e.type === 'limit' || e.type === 'heartbeat_late' || e.type === 'rtt_implausible';
}

/** The lifecycle events in [from, to), de-duplicated and in order: one row each in an export. */
export function lifecycleInWindow(events: readonly TimelineEvent[], from: number, to: number): LifecycleEvent[] {
  return orderEvents(events.filter(isLifecycle)).filter((e) => e.t >= from && e.t < to);
}
