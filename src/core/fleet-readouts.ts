/**
 * What the fleet state shows of a restaurant at a moment: its figures (figures.ts defines them)
 * and its terminals with their connections. Pure reads of the connection registry's state.
 */
import { census, type RestaurantState } from './connection-registry.ts';
import { computeFigures, type RestaurantFigures } from './figures.ts';
import { healthOf, type Health } from './health.ts';

/** DESIGN.md: terminals seen within 7 days are expected. */
export const EXPECTED_WINDOW_MS = 7 * 24 * 3_600_000;

export interface TerminalView {
  tid: string;
  /** Last open, close or heartbeat (ms). */
  lastSeen: number;
  /** Silence of its connections (DESIGN.md thresholds); 'offline' when it has none. */
  health: Health | 'offline';
  connections: { gw: string; conn: string; since: number; lastBeatT: number | null; lastRttMs: number | null }[];
  /** Its latest heartbeat and reported RTT over all its connections, closed ones included; null when none yet. */
  lastBeatT: number | null;
  lastRttMs: number | null;
}

/** The figures of one restaurant at `now` (see figures.ts for what each one means). */
export function figuresOf(r: RestaurantState, now: number, expectedWindowMs = EXPECTED_WINDOW_MS): RestaurantFigures {
  const c = census(r, now, now - expectedWindowMs);
  const openSince: number[] = [];
  for (const conn of r.connections.values()) openSince.push(conn.since);
  return computeFigures({ rid: r.rid, now, view: r.windows.view(now), connections: r.connections.size, connectedTerminals: c.connected, expected: c.expected, terminals: c.health, openSince });
}

/** Its terminals connected or expected at `now`, each with its open connections. */
export function terminalsOf(r: RestaurantState, now: number, expectedWindowMs = EXPECTED_WINDOW_MS): TerminalView[] {
  const byTid = new Map<string, TerminalView['connections']>();
  for (const c of r.connections.values()) {
    const list = byTid.get(c.tid) ?? [];
    list.push({ gw: c.gw, conn: c.conn, since: c.since, lastBeatT: c.lastBeatT, lastRttMs: c.lastRtt });
    byTid.set(c.tid, list);
  }
  return [...r.terminals.values()]
    .filter((t) => t.conns > 0 || t.lastSeen >= now - expectedWindowMs)
    .map((t) => ({ tid: t.tid, lastSeen: t.lastSeen, health: t.conns > 0 ? healthOf(t.lastActivity, now) : 'offline', connections: byTid.get(t.tid) ?? [], lastBeatT: t.lastBeatT, lastRttMs: t.lastRtt }));
}
