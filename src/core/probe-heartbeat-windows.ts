/**
 * Which heartbeat interval a ping answers, for the probe aggregator (probe-aggregator.ts).
 *
 * A ping answers heartbeat interval k of its connection when it arrives in
 * (open + (k−1)·interval + grace, open + k·interval + grace] — the k-th window that, on the hub,
 * makes one heartbeat expected as it runs out (src/core/terminal-time.ts). At most one ping per
 * window counts: the ping a terminal sends at its open answers none (counting it made every
 * connection one on-time beat ahead, and a half-open terminal that missed 2 of 3 intervals read
 * 100 %). The answer is filed when its window runs out, where the hub files the expected beat, so
 * a minute's on-time and expected beats are the same intervals (filed at arrival, a ping just
 * before a minute's end and its interval just after split over two minutes: 75 % one, 125 % the
 * next). A window still running when its connection closes was never expected: not filed.
 */
import type { Conn } from './probe-aggregator-state.ts';

/** Files `c`'s pending answer (at `c.dueAt`) and clears it. */
export type FileAnswer = (c: Conn) => void;

/** A ping at `t`: the interval it answers becomes pending, due when it runs out. */
export function answerInterval(c: Conn, t: number, file: FileAnswer): void {
  const k = Math.ceil((t - c.openedAt - c.graceMs) / c.intervalMs);
  if (k < 1 || k <= c.answered) return;
  // Window k begins as window k−1 runs out: a pending answer is due by now.
  if (c.dueAt > 0) file(c);
  c.answered = k;
  c.dueAt = c.openedAt + k * c.intervalMs + c.graceMs;
}
