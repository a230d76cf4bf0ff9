/**
 * One sweeping timer for every connection of a gateway, instead of one timer per connection:
 * at 19,000 terminals a per-connection timer means 19,000 timer re-arms per interval, while a
 * sweep once a second walks a Set in well under a millisecond.
 *
 * The sweep period bounds how late a dead peer is noticed: at most one period after its deadline
 * of two intervals plus grace. It is a fraction of the grace, so the detection stays within it.
 *
 * A gateway that was itself stopped must not convict its terminals (issue 18, item 11: paused
 * 40 s by SIGSTOP, it closed all 115 with 4008 at once, pings queued unread in their sockets):
 * - the verdict is given in `setImmediate`, after the event loop's poll phase, so whatever the
 *   terminals sent meanwhile is read (and their last ping updated) before silence is judged;
 * - a sweep that comes more than a heartbeat interval after the previous one means the process
 *   did not run: nobody's silence in that gap can be told from ours, so every connection gets a
 *   fresh deadline from now, the stall is counted, and the next sweeps judge as usual.
 */
export interface Watched {
  checkLiveness(now: number): void;
  /** The gateway did not run until `now`: judge this connection's silence from `now` at most. */
  forgive(now: number): void;
}

export interface WatchdogOptions {
  periodMs: number;
  /** A gap between sweeps longer than this is a stall of the gateway (the heartbeat interval). */
  stallMs: number;
  now: () => number;
  onStall?: (gapMs: number) => void;
}

export function sweepPeriodMs(heartbeatGraceMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(heartbeatGraceMs / 4)));
}

export interface Watchdog {
  stop(): void;
  /**
   * Whether the gateway has not run for longer than the stall bound until `now` and the watchdog
   * has not seen it yet: a ping read in that moment (the poll phase can read the queued ones before
   * the timer fires) must not be judged late for the gateway's gap.
   */
  stalled(now: number): boolean;
}

export function startHeartbeatWatchdog(connections: Iterable<Watched>, o: WatchdogOptions): Watchdog {
  let last = o.now();
  let pending: ReturnType<typeof setImmediate> | null = null;
  const timer = setInterval(() => {
    const t = o.now();
    const gap = t - last;
    last = t;
    if (gap > o.stallMs) {
      for (const c of connections) c.forgive(t);
      o.onStall?.(gap);
      return;
    }
    if (pending !== null) return;
    pending = setImmediate(() => {
      pending = null;
      const at = o.now();
      // A terminated connection leaves the Set later, on its close event; deleting during a Set walk is safe anyway.
      for (const c of connections) c.checkLiveness(at);
    });
  }, o.periodMs);
  // The watchdog alone must not keep a process alive; the listening server does that.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (pending !== null) clearImmediate(pending);
    },
    stalled: (now) => now - last > o.stallMs,
  };
}
