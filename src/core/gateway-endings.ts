/**
 * What the hub writes for connections nobody saw close because their gateway ended: lost (silent
 * past the timeout), stopped (said goodbye with connections still open) or restarted (heard under
 * a new run). A close record each, with a cause of its own, so the store, timelines and the replay
 * read open → closed instead of open forever — the records `FleetState.drainLifecycle` hands out.
 *
 * A lost gateway may come back under the same run (a partition, a stalled process) with its
 * connections alive: the live view re-adopts each by its next beat. The store then gets an `open`
 * of it at that beat, so store and live agree — closed while the hub could not see it, open again
 * since — rather than the store keeping it closed while the live view shows it connected.
 */
import { CloseCode } from '../protocol/close-codes.ts';
import type { Beat, LifecycleEvent } from '../protocol/telemetry.ts';

export type Ending = 'lost' | 'stopped' | 'restarted';

/**
 * lost and restarted: the process went without a close frame (1006); stopped: it shut down, which
 * the reference gateway does with 1001 to every terminal (DESIGN.md), so 1001 it is.
 */
const closeOf = {
  lost: { code: CloseCode.abnormal, cause: 'gateway_lost' },
  stopped: { code: CloseCode.goingAway, cause: 'gateway_stopped' },
  restarted: { code: CloseCode.abnormal, cause: 'gateway_restarted' },
} as const;

export interface DroppedConnection {
  rid: string;
  conn: { conn: string; tid: string; since: number };
}

/** One close per dropped connection, at `t` (never before its open). */
export function endingCloses(gw: string, dropped: readonly DroppedConnection[], t: number, ending: Ending): LifecycleEvent[] {
  const { code, cause } = closeOf[ending];
  return dropped.map(({ rid, conn: c }) => {
    const at = Math.max(c.since, t);
    return { type: 'close', gw, t: at, rid, tid: c.tid, conn: c.conn, code, cause, reason: '', byServer: true, durationMs: at - c.since };
  });
}

/** Connections of lost gateways, closed as `gateway_lost`, until their gateway restarts or stops. */
export class LostConnections {
  private readonly byGateway = new Map<string, Map<string, string>>();

  remember(gw: string, dropped: readonly DroppedConnection[]): void {
    if (dropped.length === 0) return;
    let conns = this.byGateway.get(gw);
    if (conns === undefined) this.byGateway.set(gw, (conns = new Map()));
    for (const d of dropped) conns.set(d.conn.conn, d.rid);
  }

  /** Its run ended (restart, goodbye): none of them can come back. */
  forget(gw: string): void {
    this.byGateway.delete(gw);
  }

  /** A beat re-adopted a connection: its `open` record when it was one closed as lost, else null. */
  reopened(gw: string, rid: string, b: Beat): LifecycleEvent | null {
    const conns = this.byGateway.get(gw);
    if (conns?.get(b.conn) !== rid) return null;
    conns.delete(b.conn);
    if (conns.size === 0) this.byGateway.delete(gw);
    return { type: 'open', gw, t: b.t, rid, tid: b.tid, conn: b.conn, via: 'other' };
  }
}
