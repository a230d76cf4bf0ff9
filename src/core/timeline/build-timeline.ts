/**
 * A terminal's connection timeline over a window, from its lifecycle events and any heartbeat,
 * ack and traffic samples: pure, with `now` passed in. Events may come out of order, twice, and
 * from before or after the window — an open before `from` makes the window start connected, a
 * close after `to` makes it end connected — so the whole history given is walked and the result
 * clipped to [from, min(to, now)).
 */
import type { HeartbeatLateEvent, LifecycleEvent } from '../../protocol/telemetry.ts';
import { walkConnections } from './connection-walk.ts';
import { isLifecycle, orderEvents } from './event-order.ts';
import { countCells, heartbeatStrip } from './heartbeat-strip.ts';
import { latencySeries } from './latency-series.ts';
import type { ConnectionState, HeartbeatCell, Segment, SeriesPoint, Timeline, TimelineOptions } from './timeline-types.ts';

export const timelineDefaults = {
  heartbeatIntervalMs: 15_000,
  graceMs: 5_000,
  /** The resilient socket's `stableAfterMs`: attempts reset after a connection stayed up this long. */
  stableAfterMs: 15_000,
  /** 10 %: a terminal's timer and the gateway's clock may disagree by a little. */
  backoffTolerance: 0.1,
  maxPoints: 500,
} as const;

/** Segments cut to [from, end); `ongoing` = the state still holds at `end`. */
function clip(segments: readonly Segment[], from: number, end: number): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const start = Math.max(s.start, from);
    const stop = Math.min(s.end, end);
    if (stop > start) out.push({ ...s, start, end: stop, ongoing: s.end > end });
  }
  return out;
}

function sinceOf(segment: Segment, unclippedStart: number): number | null {
  if (segment.state === 'connected') return segment.openedAt;
  if (segment.state === 'disconnected') return segment.by.t;
  return Number.isFinite(unclippedStart) ? unclippedStart : null;
}

/**
 * The later of the last heartbeat seen and the end of the last on-time or late cell (its ping came
 * then); a cell cut by the window's end had its ping after it, so its start stands in.
 */
function latestBeat(seen: number | null, cells: readonly HeartbeatCell[], end: number): number | null {
  const cell = cells.findLast((c) => c.status === 'on_time' || c.status === 'late');
  if (!cell) return seen;
  const ping = cell.end < end ? cell.end : cell.start;
  return seen === null || ping > seen ? ping : seen;
}

export function buildTimeline(o: TimelineOptions): Timeline {
  const intervalMs = o.heartbeatIntervalMs ?? timelineDefaults.heartbeatIntervalMs;
  const graceMs = o.graceMs ?? timelineDefaults.graceMs;
  const { from, to } = o;
  const end = Math.max(from, Math.min(to, o.now));
  const inSpan = (t: number): boolean => t >= from && t <= end;

  const lifecycle: LifecycleEvent[] = [];
  const lateByConn = new Map<string, HeartbeatLateEvent[]>();
  const firstBeat = new Map<string, number>();
  const firstSample = new Map<string, number>();
  const rtt: SeriesPoint[] = [];
  const latency: SeriesPoint[] = [];
  let messages: number | null = null;
  let lastBeatAt: number | null = null;
  let sampled = false;
  let implausibleRtt: Timeline['implausibleRtt'] = null;

  const beat = (conn: string, t: number, rttMs: number | undefined): void => {
    if (!firstBeat.has(conn)) firstBeat.set(conn, t);
    if (t <= end && (lastBeatAt === null || t > lastBeatAt)) lastBeatAt = t;
    if (rttMs !== undefined && inSpan(t)) rtt.push({ t, v: rttMs });
  };

  for (const e of orderEvents(o.events)) {
    if (isLifecycle(e)) {
      lifecycle.push(e);
      if (e.type === 'heartbeat_late') {
        const list = lateByConn.get(e.conn);
        if (list) list.push(e);
        else lateByConn.set(e.conn, [e]);
        // The ping before it proves the connection was open by then.
        const before = e.t - e.gapMs;
        if (!firstSample.has(e.conn) || before < firstSample.get(e.conn)!) firstSample.set(e.conn, before);
        beat(e.conn, e.t, e.rtt);
      } else if (e.type === 'rtt_implausible') {
        // A ping all the same (the gateway answered it), with no RTT sample.
        if (!firstSample.has(e.conn)) firstSample.set(e.conn, e.t);
        beat(e.conn, e.t, undefined);
        if (e.t >= from && e.t < end) {
          if (implausibleRtt === null) implausibleRtt = { pings: 0, firstAt: e.t, lastAt: e.t, lastRtt: e.rtt };
          implausibleRtt.pings += e.count;
          implausibleRtt.lastAt = e.t;
          implausibleRtt.lastRtt = e.rtt;
        }
      }
      continue;
    }
    if (!firstSample.has(e.conn)) firstSample.set(e.conn, e.t);
    switch (e.type) {
      case 'heartbeat':
        sampled = true;
        beat(e.conn, e.t, e.rtt);
        break;
      case 'ack':
        if (inSpan(e.t)) latency.push({ t: e.t, v: e.latencyMs });
        break;
      case 'traffic':
        messages ??= 0;
        if (e.t >= from && e.t < end) messages++;
        break;
    }
  }

  const heartbeatsFrom = o.heartbeatsFrom ?? (sampled ? -Infinity : Infinity);
  const walk = walkConnections(lifecycle, {
    stableAfterMs: o.stableAfterMs ?? timelineDefaults.stableAfterMs,
    backoffTolerance: o.backoffTolerance ?? timelineDefaults.backoffTolerance,
    backoff: o.backoff,
    heartbeatsFrom,
    firstBeat,
    firstSample,
  });

  const segments = clip(walk.segments, from, end);
  const ms: Record<ConnectionState, number> = { connected: 0, disconnected: 0, unknown: 0 };
  for (const s of segments) ms[s.state] += s.end - s.start;

  const last = segments.at(-1);
  const lastRaw = walk.segments.findLast((s) => s.start < end);
  const current: Timeline['current'] = last
    ? {
        state: last.state,
        since: sinceOf(last, lastRaw?.start ?? last.start),
        conn: last.state === 'connected' ? last.conn : null,
        by: last.state === 'disconnected' ? last.by : null,
      }
    : { state: 'unknown', since: null, conn: null, by: null };

  const cells = heartbeatStrip(walk.connections, lateByConn, { from, end, intervalMs, graceMs, recordsUntil: o.recordsUntil ?? o.now });
  const maxPoints = o.maxPoints ?? timelineDefaults.maxPoints;
  return {
    from,
    to,
    end,
    live: to >= o.now,
    heartbeatIntervalMs: intervalMs,
    graceMs,
    segments,
    disconnects: walk.disconnects.filter((d) => d.t >= from && d.t < end),
    attempts: walk.attempts.filter((a) => a.t >= from && a.t < end),
    heartbeats: { cells, counts: countCells(cells), lastAt: latestBeat(lastBeatAt, cells, end) },
    rtt: latencySeries(rtt, maxPoints),
    latency: latencySeries(latency, maxPoints),
    traffic: messages === null ? null : { messages },
    implausibleRtt,
    ms,
    current,
    events: lifecycle.filter((e) => e.t >= from && e.t < to),
  };
}
