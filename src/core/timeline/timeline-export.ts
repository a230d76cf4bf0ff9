/**
 * Export of a terminal's window: CSV with one row per lifecycle event, JSON of the timeline or the
 * events, and the file name to save them under. Close reasons and limit details come from
 * terminals, so a cell that a spreadsheet would run as a formula is defused (OWASP, "CSV
 * Injection"), and every cell is quoted as RFC 4180 says.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { lifecycleInWindow } from './event-order.ts';
import type { Timeline, TimelineEvent } from './timeline-types.ts';

export const csvColumns = ['time_utc', 't', 'type', 'gw', 'rid', 'tid', 'conn', 'code', 'cause', 'reason', 'by_server', 'duration_ms', 'via', 'kind', 'detail', 'gap_ms', 'rtt_ms'] as const;
type Cell = string | number | boolean | undefined;
const _ = undefined;

function claimsText(e: { claimedRid?: string; claimedTid?: string }): string | undefined {
  if (e.claimedRid === undefined && e.claimedTid === undefined) return undefined;
  return `unverified claims: rid ${e.claimedRid ?? '-'}, tid ${e.claimedTid ?? '-'}`;
}

/** The cells of one event in `csvColumns` order (an array, not an object: 5,000 rows stay cheap). */
function rowOf(e: LifecycleEvent): Cell[] {
  // A refused token has no restaurant or terminal, only claims: they go in `detail`, not in rid/tid.
  const head: Cell[] = [new Date(e.t).toISOString(), e.t, e.type, e.gw, e.type === 'auth_fail' ? _ : e.rid, e.type === 'auth_fail' ? _ : e.tid];
  switch (e.type) {
    case 'open':
      return head.concat(e.conn, _, _, _, _, _, e.via, _, _, _, _);
    case 'close':
      return head.concat(e.conn, e.code, e.cause, e.reason, e.byServer, e.durationMs, _, _, _, _, _);
    case 'auth_fail':
      // The handshake was closed 4001; the reason says why the token was refused.
      return head.concat(_, CloseCode.invalidToken, 'auth_failed', e.reason, true, _, _, _, claimsText(e), _, _);
    case 'limit':
      return head.concat(e.conn, _, _, _, _, _, _, e.kind, e.detail, _, _);
    case 'heartbeat_late':
      return head.concat(e.conn, _, _, _, _, _, _, _, _, e.gapMs, e.rtt);
    case 'rtt_implausible':
      // The reported round trip as sent (it is no figure), and how many such pings the second held.
      return head.concat(e.conn, _, _, _, _, _, _, _, `${e.count} ping(s) with an implausible RTT`, _, e.rtt);
  }
}

/** Characters a spreadsheet may read as the start of a formula (tab and CR too, per OWASP). */
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV field: text that looks like a formula gets a leading quote; then RFC 4180 quoting. */
export function csvCell(value: Cell): string {
  if (value === undefined) return '';
  // Numbers and booleans are ours, not a terminal's: written as they are (a negative stays a number).
  if (typeof value !== 'string') return String(value);
  const text = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A header and one row per lifecycle event — de-duplicated, in time order, and, with a window,
 * only those in [from, to). Lines end with CRLF (RFC 4180).
 */
export function toCsv(events: readonly TimelineEvent[], window?: { from: number; to: number }): string {
  const rows = lifecycleInWindow(events, window?.from ?? -Infinity, window?.to ?? Infinity);
  const lines = [csvColumns.join(',')];
  for (const e of rows) {
    lines.push(rowOf(e).map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON of a timeline, or of bare events (de-duplicated, in order); `meta` goes first (tid, window…). */
export function toJson(data: Timeline | readonly TimelineEvent[], meta: Record<string, unknown> = {}): string {
  const body = Array.isArray(data) ? { events: lifecycleInWindow(data as readonly TimelineEvent[], -Infinity, Infinity) } : data;
  // Infinity is not JSON (it would become null silently); no timeline field holds it after clipping.
  return `${JSON.stringify({ ...meta, ...body }, null, 2)}\n`;
}

function stamp(t: number): string {
  // UTC, so the name does not depend on the exporting machine's zone; 20261126T1940.
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 16).replaceAll('-', '').replace(':', '') : 'open';
}

/** A safe file name token: letters, digits, dot, dash and underscore; never empty or hidden. */
export function sanitizeName(text: string, fallback = 'terminal'): string {
  const clean = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 64);
  return clean === '' ? fallback : clean;
}

/**
 * `pulse-r-001-t1-20261126T1940-20261126T2040.csv`; with the restaurant, `pulse-r-a-till-1-…`
 * (a terminal is (rid, tid): two restaurants' till-1 must not export to one name). A tid that
 * already starts with its restaurant's id (the simulator's `r-001-t1`) is not prefixed twice.
 */
export function exportFileName(tid: string, from: number, to: number, ext: 'csv' | 'json', rid?: string): string {
  const who = rid === undefined || tid.startsWith(`${rid}-`) ? tid : `${rid}-${tid}`;
  return `pulse-${sanitizeName(who)}-${stamp(from)}-${stamp(to)}.${ext}`;
}
