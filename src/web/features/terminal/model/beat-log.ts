/**
 * Heartbeats of one terminal collected while its page is open. The store keeps only the late ones
 * (the heartbeat strip is built from those and the 4008 closes, heartbeat-strip.ts); on-time ones
 * are summed per restaurant-second. The hub's terminal row says when the last one arrived and the
 * RTT it reported: polled every few seconds, each new `lastHeartbeatAt` is one heartbeat — the
 * exact last heartbeat and the RTT points of the window while the page is open.
 *
 * The log's `since` moves past any stretch without a poll (a hidden tab, a failed fetch): a
 * connection seen without a sampled heartbeat counts as never ponged only while we were watching.
 */
import type { HeartbeatSample } from '../../../../core/timeline/timeline-types.ts';
import type { RestaurantAnswer } from '../../../../protocol/api.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';

export interface TerminalStatus {
  connectedSince: number | null;
  lastHeartbeatAt: number | null;
  rttMs: number | null;
}

export interface BeatLog {
  readonly samples: readonly HeartbeatSample[];
  /** From when silence counts as missed; null before the first poll. */
  readonly since: number | null;
  readonly lastPollAt: number | null;
}

export const emptyBeatLog: BeatLog = { samples: [], since: null, lastPollAt: null };

/** A day of 15 s heartbeats and some: the log never grows without bound. */
const capacity = 6000;

export interface BeatRules {
  intervalMs: number;
  graceMs: number;
}

/**
 * The log after one poll at `polledAt`. Only a connected terminal's heartbeat is logged (a
 * disconnected one's last heartbeat belongs to a connection that is gone). Samples name their
 * connection by its open time (`liveConnId`); `withConnNames` swaps in the real ids.
 */
export function addPoll(log: BeatLog, status: TerminalStatus | null, polledAt: number, rules: BeatRules): BeatLog {
  const watchedThrough = log.lastPollAt !== null && polledAt - log.lastPollAt <= rules.intervalMs;
  const since = log.since === null || !watchedThrough ? polledAt : log.since;
  let samples = log.samples;
  const beatAt = status?.lastHeartbeatAt ?? null;
  const openedAt = status?.connectedSince ?? null;
  const last = samples.at(-1);
  if (status && beatAt !== null && openedAt !== null && beatAt >= openedAt && (!last || beatAt > last.t)) {
    const conn = liveConnId(openedAt);
    const previous = last && last.conn === conn ? last.t : openedAt;
    // A gap we did not watch all through says nothing about lateness: the beat counts as on time.
    const onTime = previous < since || beatAt - previous <= rules.intervalMs + rules.graceMs;
    const sample: HeartbeatSample = status.rttMs === null ? { type: 'heartbeat', t: beatAt, conn, onTime } : { type: 'heartbeat', t: beatAt, conn, onTime, rtt: status.rttMs };
    samples = samples.length >= capacity ? [...samples.slice(samples.length - capacity + 1), sample] : [...samples, sample];
  }
  if (samples === log.samples && since === log.since && polledAt === log.lastPollAt) return log;
  return { samples, since, lastPollAt: polledAt };
}

/** The id the view gives a connection the hub reports open but whose open event it has not loaded. */
export function liveConnId(openedAt: number): string {
  return `live-${openedAt}`;
}

/** Samples with the connection ids of the open events at their open times, where loaded. */
export function withConnNames(samples: readonly HeartbeatSample[], events: readonly LifecycleEvent[]): HeartbeatSample[] {
  const byOpen = new Map<string, string>();
  for (const e of events) if (e.type === 'open') byOpen.set(liveConnId(e.t), e.conn);
  return samples.map((s) => {
    const conn = byOpen.get(s.conn);
    return conn === undefined ? s : { ...s, conn };
  });
}

/**
 * The open the hub's live view vouches for when the events do not hold it (it happened before the
 * fetched range): without it a terminal connected all day would read "unknown" all day.
 */
export function openFromStatus(status: TerminalStatus | null, events: readonly LifecycleEvent[], tid: string, rid: string): LifecycleEvent | null {
  const openedAt = status?.connectedSince ?? null;
  if (openedAt === null || events.some((e) => e.type === 'open' && e.t === openedAt)) return null;
  return { type: 'open', gw: '', t: openedAt, rid, tid, conn: liveConnId(openedAt), via: 'subprotocol' };
}

/** The terminal's row in `GET /api/restaurants/:rid` (docs/api.md); null when the restaurant has none. */
export function statusOf(answer: RestaurantAnswer, tid: string): TerminalStatus | null {
  const row = answer.terminals.find((t) => t.tid === tid);
  return row ? { connectedSince: row.connectedSince, lastHeartbeatAt: row.lastHeartbeatAt, rttMs: row.rttMs } : null;
}
