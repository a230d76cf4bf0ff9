/**
 * The truth of heartbeat counting for reconciliation tests, written out apart from the aggregator
 * (src/core/probe-aggregator.ts) from DESIGN.md's rule: one heartbeat expected per interval of a
 * connection, on time within the grace. Window k of a connection opened at o is
 * (o + (k−1)·I + G, o + k·I + G]; it is answered when a ping arrived in it, and counts once it ran
 * out while the connection was open. A ping is late when it came more than I + G after the
 * previous one (or the open).
 *
 * `closing`: answered windows that ran out less than `lagMs` after their connection's close. A hub
 * that learns of a close a batch later than the window ran out (the open ingest: a probe batches
 * its events) has counted that window as expected, and the aggregator as answered, which keeps the
 * share right; against close times they are up to this many over.
 */
export interface BeatEvent {
  type: string;
  conn?: string;
  t: number;
}

/** Opens, pings (`ping` or `heartbeat`) and closes of any number of connections, in any order. */
export function heartbeatTruth(events: readonly BeatEvent[], intervalMs: number, graceMs: number, lagMs = 0): { answered: number; late: number; closing: number } {
  const conns = new Map<string, { open: number; pings: number[]; close: number }>();
  for (const e of events) {
    if (e.conn === undefined) continue;
    if (e.type === 'open') conns.set(e.conn, { open: e.t, pings: [], close: Infinity });
    const c = conns.get(e.conn);
    if (c === undefined) continue;
    if (e.type === 'ping' || e.type === 'heartbeat') c.pings.push(e.t);
    if (e.type === 'close') c.close = e.t;
  }
  let answered = 0;
  let late = 0;
  let closing = 0;
  for (const c of conns.values()) {
    const windows = new Set<number>();
    let previous = c.open;
    for (const t of [...c.pings].sort((a, b) => a - b)) {
      const k = Math.ceil((t - c.open - graceMs) / intervalMs);
      if (k >= 1) windows.add(k);
      if (t - previous > intervalMs + graceMs) late++;
      previous = Math.max(previous, t);
    }
    for (const k of windows) {
      const due = c.open + k * intervalMs + graceMs;
      if (due <= c.close) answered++;
      else if (due < c.close + lagMs) closing++;
    }
  }
  return { answered, late, closing };
}
