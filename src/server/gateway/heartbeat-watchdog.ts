/**
 * One sweeping timer for every connection of a gateway, instead of one timer per connection:
 * at 19,000 terminals a per-connection timer means 19,000 timer re-arms per interval, while a
 * sweep once a second walks a Set in well under a millisecond.
 *
 * The sweep period bounds how late a dead peer is noticed: at most one period after its deadline
 * of two intervals plus grace. It is a fraction of the grace, so the detection stays within it.
 */
export interface Watched {
  checkLiveness(now: number): void;
}

export function sweepPeriodMs(heartbeatGraceMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(heartbeatGraceMs / 4)));
}

export function startHeartbeatWatchdog(connections: Iterable<Watched>, periodMs: number, now: () => number): () => void {
  const timer = setInterval(() => {
    const t = now();
    // A terminated connection leaves the Set later, on its close event; deleting during a Set walk is safe anyway.
    for (const c of connections) c.checkLiveness(t);
  }, periodMs);
  // The watchdog alone must not keep a process alive; the listening server does that.
  timer.unref();
  return () => clearInterval(timer);
}
