/**
 * Terminal-time (connected, healthy, expected) and expected heartbeats, integrated at each tick
 * from the state the hub holds — so they are exact to a tick plus the bus delay, which is what
 * stability needs. Pure: the caller passes the tick's bounds.
 *
 * Expected heartbeats (`hbExpected`) count, at each tick, the heartbeat intervals (plus grace) that
 * ran out while a terminal was connected and the hub was watching: a terminal that connected 10 s
 * ago, or a hub that started 10 s ago, has missed nothing yet.
 */
import { census, type RestaurantState, type Terminal } from './connection-registry.ts';

export interface TerminalTimeOptions {
  /** Terminals seen within this long are expected (DESIGN.md: 7 days). */
  expectedWindowMs: number;
  /** The heartbeat interval the gateways ask of terminals (DESIGN.md: 15 s). */
  heartbeatIntervalMs: number;
  /** The grace after it within which a heartbeat is on time (DESIGN.md: 5 s). */
  heartbeatGraceMs: number;
}

/**
 * Credit [from, to) of terminal-time with the state the hub holds (a tick's worth). Health is
 * judged at `from`: a terminal silent since t is healthy until t + 20 s, not a tick less.
 * `watchingSince`: the hub's first tick (-Infinity when it continues an earlier run's watch).
 */
export function integrateTerminalTime(r: RestaurantState, from: number, to: number, watchingSince: number, o: TerminalTimeOptions): void {
  const c = census(r, from, to - o.expectedWindowMs, (t) => countDueBeats(r, t, from, to, watchingSince, o));
  const w = r.windows;
  if (c.connected > 0) {
    // Whatever minutes this tick credits connected time to (a tick may span a minute's end).
    w.declare(from, 'hbExpected');
    w.declare(to - 1, 'hbExpected');
  }
  w.credit(from, to, 'connectedMs', c.connected);
  w.credit(from, to, 'healthyMs', c.health.healthy);
  w.credit(from, to, 'expectedMs', c.expected);
  w.gauge(to, 'expected', c.expected);
}

/**
 * DESIGN.md: one heartbeat expected per interval per connected terminal, on time within the
 * interval plus grace. Interval k of a terminal watched since `base` runs out at
 * base + k·interval + grace; each one that ran out in (from, to] is one expected heartbeat, filed
 * at that moment. An interval still running is not expected yet — counting it as missed made
 * every restaurant read unhealthy for the first 15–20 s after a hub start or a terminal's open.
 * Over a whole window the count is the same as connected time ÷ interval.
 */
export function countDueBeats(r: RestaurantState, t: Terminal, from: number, to: number, watchingSince: number, o: TerminalTimeOptions): void {
  const base = Math.max(t.connectedSince, watchingSince);
  const interval = o.heartbeatIntervalMs;
  const grace = o.heartbeatGraceMs;
  const due = (x: number) => Math.max(0, Math.floor((x - base - grace) / interval));
  const last = due(to);
  // After a long gap between ticks only the last hour can still be written (as in `credit`).
  for (let k = Math.max(due(from), due(to - 3_600_000)) + 1; k <= last; k++) r.windows.count(base + k * interval + grace, 'hbExpected', 1);
}
