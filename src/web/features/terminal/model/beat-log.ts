/**
 * Heartbeats of one terminal collected while its page is open. The hub serves no per-terminal
 * heartbeat history (the probe sums heartbeats per restaurant-second), but its terminal row says
 * when the last one arrived and the RTT it reported; polled every few seconds, each new
 * `lastHeartbeatAt` is one heartbeat.
 *
 * Silence proves a missed heartbeat only while we were watching: the log's `since` moves past any
 * stretch without a poll (a hidden tab, a failed fetch), so the strip says "unknown" there rather
 * than "missed".
 */
import type { HeartbeatSample } from '../../../../core/timeline/timeline-types.ts';

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
 * The log after one poll at `polledAt`. `connOf` names the connection that opened at a time (from
 * the lifecycle events); without one the samples still prove a connection, under a made-up name.
 */
export function addPoll(log: BeatLog, status: TerminalStatus | null, polledAt: number, connOf: (openedAt: number) => string | null, rules: BeatRules): BeatLog {
  const watchedThrough = log.lastPollAt !== null && polledAt - log.lastPollAt <= rules.intervalMs;
  const since = log.since === null || !watchedThrough ? polledAt : log.since;
  let samples = log.samples;
  const beatAt = status?.lastHeartbeatAt ?? null;
  const last = samples.at(-1);
  if (status && beatAt !== null && (!last || beatAt > last.t)) {
    const openedAt = status.connectedSince;
    const conn = (openedAt === null ? null : connOf(openedAt)) ?? `since-${openedAt ?? 'unknown'}`;
    const previous = last && last.conn === conn ? last.t : openedAt;
    // Unknown gap (first beat we saw of a connection already up): the gateway said nothing late.
    const onTime = previous === null || beatAt - previous <= rules.intervalMs + rules.graceMs || (last?.conn !== conn && previous < since);
    const sample: HeartbeatSample = status.rttMs === null ? { type: 'heartbeat', t: beatAt, conn, onTime } : { type: 'heartbeat', t: beatAt, conn, onTime, rtt: status.rttMs };
    samples = samples.length >= capacity ? [...samples.slice(samples.length - capacity + 1), sample] : [...samples, sample];
  }
  if (samples === log.samples && since === log.since && polledAt === log.lastPollAt) return log;
  return { samples, since, lastPollAt: polledAt };
}

/** The terminal's row in `GET /api/restaurants/:rid` (docs/api.md), read defensively. */
export function statusOf(raw: unknown, tid: string): TerminalStatus | null {
  const o = raw !== null && typeof raw === 'object' ? (raw as { terminals?: unknown }) : null;
  const list = Array.isArray(o?.terminals) ? (o.terminals as unknown[]) : [];
  for (const item of list) {
    if (item === null || typeof item !== 'object') continue;
    const row = item as Record<string, unknown>;
    if (row.tid !== tid) continue;
    const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    return { connectedSince: n(row.connectedSince), lastHeartbeatAt: n(row.lastHeartbeatAt), rttMs: n(row.rttMs) };
  }
  return null;
}
