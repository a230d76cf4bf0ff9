/**
 * The "issues found" of the diagnostic report: what went wrong in a timeline's window, each with a
 * stable code (for tests, links and filters), a count, when it first and last happened, and a
 * sentence a support agent can read out ("token rejected (4001) 3× since 19:40").
 */
import type { CloseCause } from '../../protocol/close-codes.ts';
import { plural, seconds, share, span } from './figure-text.ts';
import type { Disconnect, Timeline } from './timeline-types.ts';

export const issueCodes = [
  'token_rejected',
  'forbidden',
  'heartbeat_missing',
  'backoff_not_respected',
  'frames_too_large',
  'rate_limited',
  'invalid_messages',
  'server_errors',
  'abnormal_closes',
  'heartbeats_late',
  'implausible_rtt',
] as const;
export type IssueCode = (typeof issueCodes)[number];

export interface Issue {
  code: IssueCode;
  count: number;
  firstAt: number;
  lastAt: number;
  text: string;
}

export type FormatTime = (t: number) => string;

/** Issues that are closes of one cause, and how they read. */
const closeIssues: { code: IssueCode; cause: CloseCause; text: (n: number, codes: string, first: string, when: string) => string }[] = [
  { code: 'token_rejected', cause: 'auth_failed', text: (n, codes, first) => `token rejected (${codes}) ${n}× since ${first}` },
  { code: 'forbidden', cause: 'forbidden', text: (n, codes, first) => `forbidden (${codes}) ${n}× since ${first}` },
  { code: 'heartbeat_missing', cause: 'heartbeat_timeout', text: (n, codes, _, when) => `heartbeat missing: ${plural(n, 'timeout')} (${codes}) ${when}` },
  { code: 'frames_too_large', cause: 'too_large', text: (n, codes) => `frames too large (${codes}) ${n}×` },
  { code: 'rate_limited', cause: 'rate_limited', text: (n, codes) => `rate limited (${codes}) ${n}×` },
  { code: 'invalid_messages', cause: 'invalid_message', text: (n, codes) => `invalid messages (${codes}) ${n}×` },
  { code: 'server_errors', cause: 'server_error', text: (n, codes) => `server errors (${codes}) ${n}×` },
  { code: 'abnormal_closes', cause: 'abnormal_close', text: (n, codes) => `abnormal closes (${codes}) ${n}×: the connection dropped without a close frame` },
];

/** "in the last hour" while the window reaches now, else "between 19:40 and 20:40". */
export function windowPhrase(timeline: Pick<Timeline, 'from' | 'to' | 'live'>, now: number, formatTime: FormatTime): string {
  return timeline.live ? `in the last ${span(now - timeline.from)}` : `between ${formatTime(timeline.from)} and ${formatTime(timeline.to)}`;
}

/** A terminal's report as it sent it, readable even when absurd: "-5 ms", "1.0e+9 ms". */
function reportedMs(v: number): string {
  return Math.abs(v) < 1e6 ? `${Math.round(v * 1000) / 1000} ms` : `${v.toExponential(1)} ms`;
}

function codesOf(list: readonly Disconnect[]): string {
  return [...new Set(list.map((d) => d.code))].sort((a, b) => a - b).join(', ');
}

export function findIssues(timeline: Timeline, now: number, formatTime: FormatTime): Issue[] {
  const found: Issue[] = [];
  const when = windowPhrase(timeline, now, formatTime);
  for (const rule of closeIssues) {
    const list = timeline.disconnects.filter((d) => d.cause === rule.cause);
    const first = list[0];
    const last = list.at(-1);
    if (!first || !last) continue;
    found.push({ code: rule.code, count: list.length, firstAt: first.t, lastAt: last.t, text: rule.text(list.length, codesOf(list), formatTime(first.t), when) });
  }

  const tooSoon = timeline.attempts.filter((a) => a.flags.includes('backoff_not_respected'));
  const first = tooSoon[0];
  const last = tooSoon.at(-1);
  if (first && last) {
    // Quote the worst case: it is the one that shows how far off the terminal's policy is.
    const worst = tooSoon.reduce((w, a) => ((a.delayMs ?? Infinity) < (w.delayMs ?? Infinity) ? a : w));
    const times = tooSoon.length > 1 ? ` (${tooSoon.length}× since ${formatTime(first.t)})` : '';
    found.push({
      code: 'backoff_not_respected',
      count: tooSoon.length,
      firstAt: first.t,
      lastAt: last.t,
      text: `backoff not respected: retried after ${seconds(worst.delayMs ?? 0)}, policy says ≥ ${seconds(worst.minMs)}${times}`,
    });
  }

  const { on_time: onTime, late, missed } = timeline.heartbeats.counts;
  const judged = onTime + late + missed;
  const bad = timeline.heartbeats.cells.filter((c) => c.status === 'late' || c.status === 'missed');
  const firstBad = bad[0];
  const lastBad = bad.at(-1);
  if (judged > 0 && firstBad && lastBad) {
    found.push({
      code: 'heartbeats_late',
      count: bad.length,
      firstAt: firstBad.start,
      lastAt: lastBad.start,
      text: `heartbeats late or missed in ${bad.length} of ${plural(judged, 'interval')} (${share(bad.length / judged)})`,
    });
  }
  // Issue 18, item 1: the gateway drops such a report from the figures, without disconnecting the
  // terminal for a clock bug; support still needs to hear that the terminal reports nonsense.
  const bogus = timeline.implausibleRtt;
  if (bogus !== null) {
    found.push({
      code: 'implausible_rtt',
      count: bogus.pings,
      firstAt: bogus.firstAt,
      lastAt: bogus.lastAt,
      text: `reports implausible RTT in ${plural(bogus.pings, 'ping')} since ${formatTime(bogus.firstAt)} (last: ${reportedMs(bogus.lastRtt)}), left out of the RTT figures`,
    });
  }
  const order = (code: IssueCode): number => issueCodes.indexOf(code);
  return found.sort((a, b) => order(a.code) - order(b.code));
}
