/**
 * The heartbeat strip: one cell per expected heartbeat interval while connected, on time / late /
 * missed (DESIGN.md, "What the numbers mean": one expected per 15 s, on time = within the
 * interval plus 5 s grace).
 *
 * Cells are chained from each heartbeat to the next rather than laid on a fixed grid: a terminal's
 * pings drift against any grid (its timer runs a little late every time), and after a day of
 * drift a grid would split one ping over two cells and call the neighbour missed. A gap of about
 * n intervals between two pings is n cells: n − 1 missed, then the ping itself.
 */
import { CloseCode } from '../../protocol/close-codes.ts';
import type { Connection } from './connection-walk.ts';
import type { HeartbeatCell, HeartbeatSample, HeartbeatStatus } from './timeline-types.ts';

export interface StripOptions {
  from: number;
  end: number;
  intervalMs: number;
  graceMs: number;
  /** Before this, silence proves nothing (cells are "unknown"); +Infinity when no samples exist. */
  heartbeatsFrom: number;
}

export function heartbeatStrip(
  connections: readonly Connection[],
  beatsByConn: ReadonlyMap<string, readonly HeartbeatSample[]>,
  o: StripOptions,
): HeartbeatCell[] {
  const cells: HeartbeatCell[] = [];
  const I = o.intervalMs;

  /** `n` cells of `width` from `start`, only those that overlap the window, clipped to it. */
  const run = (conn: string, start: number, width: number, n: number, status: (i: number, cellStart: number) => HeartbeatStatus): void => {
    if (n <= 0 || !(width > 0)) return;
    const first = Math.max(0, Math.floor((o.from - start) / width));
    const last = Math.min(n - 1, Math.ceil((o.end - start) / width) - 1);
    for (let i = first; i <= last; i++) {
      const s = start + i * width;
      const e = start + (i + 1) * width;
      if (e <= o.from || s >= o.end) continue;
      cells.push({ start: Math.max(s, o.from), end: Math.min(e, o.end), conn, status: status(i, s) });
    }
  };
  const quiet = (cellStart: number): HeartbeatStatus => (cellStart < o.heartbeatsFrom ? 'unknown' : 'missed');

  for (const c of connections) {
    const stop = Math.min(c.endAt, o.end);
    if (stop <= o.from || c.openedAt >= o.end || !Number.isFinite(c.openedAt)) continue;
    const timedOut = c.endedBy?.code === CloseCode.heartbeatTimeout;

    if (o.heartbeatsFrom === Infinity) {
      // No samples: only a heartbeat timeout says anything — its last two intervals went unanswered.
      const n = Math.floor((stop - c.openedAt) / I);
      const missedFrom = timedOut && c.endAt <= o.end ? n - 2 : n;
      run(c.conn, c.openedAt, I, n, (i) => (i >= missedFrom ? 'missed' : 'unknown'));
      continue;
    }

    let prev = c.openedAt;
    for (const b of beatsByConn.get(c.conn) ?? []) {
      if (b.t <= prev) continue;
      if (b.t > stop) break;
      const gap = b.t - prev;
      const n = Math.max(1, Math.round(gap / I));
      const own: HeartbeatStatus = b.onTime ? 'on_time' : 'late';
      run(c.conn, prev, gap / n, n, (i, s) => (i === n - 1 ? own : quiet(s)));
      prev = b.t;
    }
    // After the last ping: every deadline (interval plus grace) that passed is a missed beat; the
    // interval still running is not a cell yet.
    const due = Math.floor((stop - prev - o.graceMs) / I);
    run(c.conn, prev, I, due, (_, s) => quiet(s));
  }
  return cells;
}

export function countCells(cells: readonly HeartbeatCell[]): Record<HeartbeatStatus, number> {
  const counts: Record<HeartbeatStatus, number> = { on_time: 0, late: 0, missed: 0, unknown: 0 };
  for (const c of cells) counts[c.status]++;
  return counts;
}
