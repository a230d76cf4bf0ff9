/**
 * Everything the terminal view draws, as one timeline: the store's events for the window (late
 * heartbeats included: the heartbeat strip is built from them), this terminal's events from the
 * live feed since they were fetched, the open the hub's live view vouches for, and the heartbeats
 * polled while the page is open (RTT points and the exact last heartbeat). Rebuilt when any of
 * them changes, and every 15 s while the window reaches now (so its end follows the clock).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { buildTimeline } from '../../../../core/timeline/build-timeline.ts';
import { timelineRulesOf } from '../../../../core/timeline/timeline-policy.ts';
import type { Timeline, TimelineEvent } from '../../../../core/timeline/timeline-types.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { useClock } from '../../../lib/clock.ts';
import { useLive } from '../../../live/use-live.ts';
import { storeLagMs, useTerminalEvents } from '../api/get-terminal-events.ts';
import { useTerminalStatus } from '../api/get-terminal-status.ts';
import { openFromStatus, withConnNames, type BeatRules } from '../model/beat-log.ts';
import { defaultPolicy, liveEventsOf } from '../model/terminal-events.ts';
import { resolveWindow, type TerminalWindow } from '../model/terminal-window.ts';

/** The feed's events from a little before the fetch: one seen by both is dropped as a repeat. */
const overlapMs = 5_000;

/**
 * The same array until its content changes (by count and end times): the fleet's feed moves for
 * every terminal, and a rebuild for another terminal's event would be wasted.
 */
function useSettled(list: LifecycleEvent[]): LifecycleEvent[] {
  const key = `${list.length}:${list[0]?.t ?? ''}:${list.at(-1)?.t ?? ''}`;
  const ref = useRef({ key, list });
  if (ref.current.key !== key) ref.current = { key, list };
  return ref.current.list;
}

/** Terminal (rid, tid)'s timeline: a terminal id names a terminal only within its restaurant. */
export function useTerminalTimeline(rid: string, tid: string, w: TerminalWindow) {
  const events = useTerminalEvents(rid, tid, w);
  const page = events.data?.page;
  const policy = page?.policy ?? defaultPolicy;
  const { heartbeatIntervalMs, graceMs } = policy;
  const beatRules = useMemo((): BeatRules => ({ intervalMs: heartbeatIntervalMs, graceMs }), [heartbeatIntervalMs, graceMs]);
  const status = useTerminalStatus(rid, tid, beatRules);
  const feed = useLive((s) => s.feed.entries);
  const fetchedAt = events.data?.fetchedAt ?? Infinity;
  const liveMine = useSettled(useMemo(() => liveEventsOf(tid, feed, fetchedAt - overlapMs, rid), [tid, feed, fetchedAt, rid]));

  const clock = useClock();
  const live = resolveWindow(w, clock.now()).live;
  const [tickedAt, setTickedAt] = useState(() => clock.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setTickedAt(clock.now()), 15_000);
    return () => clearInterval(timer);
  }, [live, clock]);

  const timeline = useMemo((): Timeline | null => {
    if (!page) return null;
    const now = Math.max(tickedAt, clock.now());
    const { from, to } = resolveWindow(w, now);
    const lifecycle = [...page.events, ...liveMine];
    const vouched = openFromStatus(status.status, lifecycle, tid, rid ?? '');
    const all: TimelineEvent[] = [...lifecycle, ...(vouched ? [vouched] : []), ...withConnNames(status.log.samples, lifecycle)];
    return buildTimeline({
      events: all,
      from,
      to,
      now,
      ...timelineRulesOf(page.policy),
      heartbeatsFrom: status.log.since ?? Infinity,
      // Late heartbeats come from the store only (the live feed leaves them out).
      recordsUntil: fetchedAt - storeLagMs,
    });
  }, [page, liveMine, status.status, status.log, tickedAt, clock, w, tid, rid, fetchedAt]);

  return { timeline, rid, policy, query: events, beatLog: status.log };
}
