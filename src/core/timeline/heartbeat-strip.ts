/**
 * The heartbeat strip: one cell per expected heartbeat interval while connected, on time / late /
 * missed (DESIGN.md, "What the numbers mean": one expected per 15 s, on time = within the
 * interval plus 5 s grace) — built from lifecycle records alone, not from every heartbeat.
 *
 * Why records suffice. The gateway answers every ping and
 * - records every ping later than interval + grace after the previous one (`heartbeat_late`, with
 *   the gap), and
 * - terminates a connection that stays silent for two intervals + grace (a 4008 close).
 * So while a connection is open, an interval with no late record and no 4008 is on time by
 * construction: had its ping been late there would be a record, had it never come the connection
 * would have ended with 4008. On-time pings are only counted by the probe, which keeps the raw
 * records in proportion to problems, not to heartbeats.
 *
 * How the cells are laid. Cells are chained from one known moment to the next (the open, the ping
 * before a late one, the late one) rather than laid on a fixed grid: a terminal's pings drift
 * against any grid, and a day of drift would split one ping over two cells. A stretch of about
 * n intervals between two known pings is n cells. For a late record (gap g since the previous
 * ping p): the time from the last known moment to p is on-time cells; [p, p + g) is round(g / I)
 * cells — all missed but the last, which is the late ping.
 *
 * The tail, after the last record:
 * - a 4008 close: its last two intervals went unanswered (missed), the ones before were on time;
 * - otherwise a cell is settled once a late record or a 4008 would have come: a ping due at the
 *   cell's end + grace may arrive late up to one interval after that (two intervals + grace after
 *   the ping before). Settled cells are on time. Records are known only up to `recordsUntil` (the
 *   store's answer lags the present): a live connection's unsettled cells are not drawn yet, like
 *   the interval still running. A connection that closed otherwise than 4008 before its last due
 *   cell settled leaves that cell "unknown": its ping may have been missing when it dropped.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import type { HeartbeatLateEvent } from '../../protocol/telemetry.ts';
import type { Connection } from './connection-walk.ts';
import type { HeartbeatCell, HeartbeatStatus } from './timeline-types.ts';

export interface StripOptions {
  from: number;
  end: number;
  intervalMs: number;
  graceMs: number;
  /** Late records are complete up to here; after it, silence proves nothing yet. */
  recordsUntil: number;
}

export function heartbeatStrip(
  connections: readonly Connection[],
  lateByConn: ReadonlyMap<string, readonly HeartbeatLateEvent[]>,
  o: StripOptions,
): HeartbeatCell[] {
  const cells: HeartbeatCell[] = [];
  const I = o.intervalMs;

  /** `n` cells of `width` from `start`, only those that overlap the window, clipped to it. */
  const run = (conn: string, start: number, width: number, n: number, status: (i: number) => HeartbeatStatus): void => {
    if (n <= 0 || !(width > 0)) return;
    const first = Math.max(0, Math.floor((o.from - start) / width));
    const last = Math.min(n - 1, Math.ceil((o.end - start) / width) - 1);
    for (let i = first; i <= last; i++) {
      const s = start + i * width;
      const e = start + (i + 1) * width;
      if (e <= o.from || s >= o.end) continue;
      cells.push({ start: Math.max(s, o.from), end: Math.min(e, o.end), conn, status: status(i) });
    }
  };
  /** On-time cells from one known ping (or the open) to another. */
  const onTime = (conn: string, start: number, stop: number): void => {
    const n = Math.round((stop - start) / I);
    if (n >= 1) run(conn, start, (stop - start) / n, n, () => 'on_time');
  };

  for (const c of connections) {
    if (!Number.isFinite(c.openedAt) || c.openedAt >= o.end || Math.min(c.endAt, o.end) <= o.from) continue;
    const closedAt = c.endAt;
    let prev = c.openedAt;
    for (const late of lateByConn.get(c.conn) ?? []) {
      if (late.t <= prev) continue;
      if (late.t > closedAt) break;
      const before = Math.max(prev, late.t - late.gapMs);
      onTime(c.conn, prev, before);
      const gap = late.t - before;
      const n = Math.max(1, Math.round(gap / I));
      run(c.conn, before, gap / n, n, (i) => (i === n - 1 ? 'late' : 'missed'));
      prev = late.t;
    }

    if (c.endedBy?.code === CloseCode.heartbeatTimeout && Number.isFinite(closedAt)) {
      const n = Math.floor((closedAt - prev) / I);
      run(c.conn, prev, I, n, (i) => (i >= n - 2 ? 'missed' : 'on_time'));
      continue;
    }
    const over = closedAt <= o.recordsUntil;
    const knownUntil = Math.min(closedAt, o.recordsUntil);
    const settled = Math.max(0, Math.floor((knownUntil - prev - I - o.graceMs) / I));
    const due = over ? Math.max(settled, Math.floor((closedAt - prev - o.graceMs) / I)) : settled;
    run(c.conn, prev, I, due, (i) => (i < settled ? 'on_time' : 'unknown'));
  }
  return cells;
}

export function countCells(cells: readonly HeartbeatCell[]): Record<HeartbeatStatus, number> {
  const counts: Record<HeartbeatStatus, number> = { on_time: 0, late: 0, missed: 0, unknown: 0 };
  for (const c of cells) counts[c.status]++;
  return counts;
}
