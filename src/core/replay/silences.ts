/**
 * When a connection was silent, as the stored data tells it afterwards. On-time heartbeats are only
 * counted (never stored one by one), so a replayed connection is presumed to beat on time — except
 * over the gap before each late heartbeat (`heartbeat_late` carries `gapMs`, the silence it ended):
 * there the live view saw the connection age into degraded and unhealthy, and so does the replay.
 * Pure: built once from the events, read at any instant.
 */
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { healthOf, type Health } from '../health.ts';

const SEP = '\u0000';

/** One silence of a connection: nothing heard in [from, to); the late beat arrived at `to`. */
interface Silence {
  from: number;
  to: number;
}

const rank: Record<Health, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The healthier of two (a terminal is as healthy as its best open connection). */
export function healthier(a: Health, b: Health): Health {
  return rank[a] <= rank[b] ? a : b;
}

export class Silences {
  /** Per connection (gw, conn), ordered by `to`. */
  private readonly byConn = new Map<string, Silence[]>();

  constructor(events: readonly LifecycleEvent[]) {
    for (const e of events) {
      if (e.type !== 'heartbeat_late') continue;
      const key = e.gw + SEP + e.conn;
      const list = this.byConn.get(key) ?? [];
      list.push({ from: e.t - e.gapMs, to: e.t });
      this.byConn.set(key, list);
    }
    for (const list of this.byConn.values()) list.sort((a, b) => a.to - b.to);
  }

  /** The health of connection (gw, conn) at `t`: healthy unless `t` falls inside one of its silences. */
  healthAt(gw: string, conn: string, t: number): Health {
    const list = this.byConn.get(gw + SEP + conn);
    if (list === undefined) return 'healthy';
    // The first silence that ends after t; it holds t when it began at or before t.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as Silence).to <= t) lo = mid + 1;
      else hi = mid;
    }
    const s = list[lo];
    return s !== undefined && s.from <= t ? healthOf(s.from, t) : 'healthy';
  }
}
