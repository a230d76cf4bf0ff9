/**
 * A timeline in words and rows for the terminal view: the title a segment shows on hover, the
 * accessible table of disconnects with the attempt that followed each, and the heartbeat strip in
 * runs (a day is 5,760 cells; a run of equal cells is one shape to draw and one title to read).
 * Terminal-provided reasons stay plain text here; React renders them as text.
 */
import { seconds } from '../../../../core/timeline/figure-text.ts';
import type { Attempt, Disconnect, HeartbeatCell, HeartbeatStatus, Segment, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock, formatDuration } from '../../../lib/format.ts';

const causeWords = (cause: string): string => cause.replaceAll('_', ' ');

/**
 * "1006 abnormal close, by the terminal — bye (limit: rate, 41 msgs/s)". A refused token is in a
 * terminal's timeline only by what it claimed (the hub's events page, for fleet-wide viewers): the
 * words say so, since anyone can claim a terminal in a token the gateway refused.
 */
export function disconnectWords(d: Pick<Disconnect, 'source' | 'code' | 'cause' | 'reason' | 'byServer' | 'limit'>): string {
  if (d.source === 'auth_fail') return `${d.code} token refused (${causeWords(d.reason)}) — unverified claims`;
  const who = d.byServer ? 'by the gateway' : 'by the terminal';
  const reason = d.reason ? ` — ${d.reason}` : '';
  const limit = d.limit ? ` (limit: ${d.limit.kind}${d.limit.detail ? `, ${d.limit.detail}` : ''})` : '';
  return `${d.code} ${causeWords(d.cause)}, ${who}${reason}${limit}`;
}

function span(s: { start: number; end: number; ongoing: boolean }): string {
  return `${formatClock(s.start)}–${s.ongoing ? 'now' : formatClock(s.end)} (${formatDuration(s.end - s.start)})`;
}

export function segmentTitle(s: Segment): string {
  switch (s.state) {
    case 'connected':
      return `Connected ${span(s)}${s.openedAt < s.start ? `, up since ${formatClock(s.openedAt)}` : ''}`;
    case 'disconnected':
      return `Disconnected ${span(s)}: ${disconnectWords(s.by)}`;
    case 'unknown':
      return `Unknown ${span(s)}: no event tells the state`;
  }
}

/** "after 0.5 s (attempt 2, policy 2–8 s): too soon" */
export function attemptWords(a: Attempt): string {
  const what = a.kind === 'open' ? 'Reconnected' : 'Token refused';
  if (a.delayMs === null) return `${what} while the gateway still held the old connection`;
  const policy = `attempt ${a.attempt + 1}, policy ${seconds(a.minMs)}–${seconds(a.maxMs)}`;
  const verdict = a.flags.includes('backoff_not_respected') ? ': too soon' : a.judged ? '' : ' (not judged)';
  return `${what} after ${seconds(a.delayMs)} (${policy})${verdict}`;
}

export interface DisconnectRow {
  key: string;
  d: Disconnect;
  /** How long the terminal stayed down after it; null when it did not end the connection. */
  downMs: number | null;
  ongoing: boolean;
  /** The attempt that followed, before the next disconnect. */
  next: Attempt | null;
}

export function disconnectRows(timeline: Pick<Timeline, 'disconnects' | 'attempts' | 'segments'>): DisconnectRow[] {
  const down = new Map<Disconnect, Segment>();
  for (const s of timeline.segments) if (s.state === 'disconnected') down.set(s.by, s);
  const rows: DisconnectRow[] = [];
  let a = 0;
  const { disconnects, attempts } = timeline;
  for (let i = 0; i < disconnects.length; i++) {
    const d = disconnects[i]!;
    const until = disconnects[i + 1]?.t ?? Infinity;
    while (a < attempts.length && attempts[a]!.t <= d.t) a++;
    const candidate = attempts[a];
    const next = candidate && candidate.t <= until && !d.overlapping ? candidate : null;
    const seg = down.get(d);
    rows.push({ key: `${d.t}-${i}`, d, downMs: seg ? seg.end - seg.start : null, ongoing: seg?.ongoing ?? false, next });
  }
  return rows;
}

export interface StripRun {
  start: number;
  end: number;
  status: HeartbeatStatus;
  cells: number;
}

/** Neighbouring cells of one status merged; a gap (disconnected time) always breaks a run. */
export function stripRuns(cells: readonly HeartbeatCell[]): StripRun[] {
  const runs: StripRun[] = [];
  for (const c of cells) {
    const last = runs.at(-1);
    if (last && last.status === c.status && Math.abs(c.start - last.end) < 1) {
      last.end = c.end;
      last.cells++;
    } else {
      runs.push({ start: c.start, end: c.end, status: c.status, cells: 1 });
    }
  }
  return runs;
}

export const heartbeatWords: Record<HeartbeatStatus, string> = { on_time: 'on time', late: 'late', missed: 'missed', unknown: 'unknown' };

export function runTitle(r: StripRun): string {
  return `${r.cells} × ${heartbeatWords[r.status]}, ${formatClock(r.start)}–${formatClock(r.end)}`;
}
