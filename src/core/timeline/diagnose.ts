/**
 * The diagnostic report of a terminal (DESIGN.md, "The dashboard → Terminal"): its state, uptime,
 * stability, reconnect attempts, last heartbeat, latency and traffic, and the issues found — as
 * figures for tiles and as sentences for people. `now` may be later than the timeline's: "last
 * heartbeat 12 s ago" ticks without rebuilding the timeline.
 */
import { duration, millis, plural, seconds, share } from './figure-text.ts';
import { findIssues } from './timeline-issues.ts';
import type { FormatTime, Issue } from './timeline-issues.ts';
import type { ConnectionState, Disconnect, LatencySeries, Timeline } from './timeline-types.ts';

export type { FormatTime, Issue, IssueCode } from './timeline-issues.ts';

export interface DiagnoseOptions {
  /** Clock times in the viewer's zone, e.g. "19:40". */
  formatTime: FormatTime;
}

export interface DiagnosticReport {
  /** The moment the state describes: the end of the timeline. */
  asOf: number;
  state: ConnectionState;
  since: number | null;
  /** Age of the current connection; null unless connected. */
  uptimeMs: number | null;
  /** Share of the window's known time spent connected; null when nothing is known. */
  stability: number | null;
  reconnectAttempts: number;
  attemptsTooSoon: number;
  lastHeartbeatAt: number | null;
  lastHeartbeatAgoMs: number | null;
  rtt: { mean: number | null; p95: number | null; count: number };
  latency: { mean: number | null; p95: number | null; count: number };
  /** Messages per connected second; null without traffic samples or connected time. */
  messagesPerSecond: number | null;
  issues: Issue[];
  /** The report in words, one sentence each: state, stability, heartbeat, latency, traffic. */
  lines: string[];
}

function figures(s: LatencySeries): DiagnosticReport['rtt'] {
  return { mean: s.mean, p95: s.p95, count: s.count };
}

function closeWords(by: Disconnect): string {
  const cause = by.cause.replaceAll('_', ' ');
  return by.reason ? `${cause} (${by.code}, "${by.reason}")` : `${cause} (${by.code})`;
}

function stateLine(r: DiagnosticReport, timeline: Timeline, formatTime: FormatTime): string {
  const at = !timeline.live ? `At ${formatTime(timeline.end)}, the end of the window: ` : '';
  const sinceWords = r.since === null ? '' : `, since ${formatTime(r.since)}`;
  const { by } = timeline.current;
  switch (r.state) {
    case 'connected':
      return `${at}connected for ${duration(r.uptimeMs ?? 0)}${sinceWords}.`;
    case 'disconnected':
      return `${at}disconnected for ${duration(r.asOf - (r.since ?? r.asOf))}${sinceWords}${by ? `: ${closeWords(by)}` : ''}.`;
    case 'unknown':
      return `${at}state unknown: no connection events tell it.`;
  }
}

function latencyLine(r: DiagnosticReport): string | null {
  const part = (name: string, f: DiagnosticReport['rtt']): string | null =>
    f.count === 0 || f.mean === null || f.p95 === null ? null : `${name} avg ${millis(f.mean)}, p95 ${millis(f.p95)}`;
  const parts = [part('heartbeat RTT', r.rtt), part('delivery latency', r.latency)].filter((p) => p !== null);
  return parts.length === 0 ? null : `${parts.join('; ')}.`;
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function diagnose(timeline: Timeline, now: number, options: DiagnoseOptions): DiagnosticReport {
  const { current, ms } = timeline;
  const known = ms.connected + ms.disconnected;
  const lastAt = timeline.heartbeats.lastAt;
  const report: DiagnosticReport = {
    asOf: timeline.end,
    state: current.state,
    since: current.since,
    uptimeMs: current.state === 'connected' && current.since !== null ? Math.max(0, timeline.end - current.since) : null,
    stability: known > 0 ? ms.connected / known : null,
    reconnectAttempts: timeline.attempts.length,
    attemptsTooSoon: timeline.attempts.filter((a) => a.flags.length > 0).length,
    lastHeartbeatAt: lastAt,
    lastHeartbeatAgoMs: lastAt === null ? null : Math.max(0, now - lastAt),
    rtt: figures(timeline.rtt),
    latency: figures(timeline.latency),
    messagesPerSecond: timeline.traffic && ms.connected > 0 ? timeline.traffic.messages / (ms.connected / 1000) : null,
    issues: findIssues(timeline, now, options.formatTime),
    lines: [],
  };

  const lines = [capital(stateLine(report, timeline, options.formatTime))];
  const attempts = `${plural(report.reconnectAttempts, 'reconnect attempt')}${report.attemptsTooSoon > 0 ? `, ${report.attemptsTooSoon} too soon` : ''}`;
  lines.push(report.stability === null ? `Stability unknown; ${attempts}.` : `Connected ${share(report.stability)} of the window; ${attempts}.`);
  lines.push(report.lastHeartbeatAgoMs === null ? 'No heartbeat seen.' : `Last heartbeat ${seconds(report.lastHeartbeatAgoMs)} ago.`);
  const latency = latencyLine(report);
  if (latency) lines.push(capital(latency));
  if (report.messagesPerSecond !== null) lines.push(`${report.messagesPerSecond.toFixed(report.messagesPerSecond >= 10 ? 0 : 2)} messages/s while connected.`);
  if (report.issues.length === 0) lines.push('No issues found.');
  report.lines = lines;
  return report;
}
