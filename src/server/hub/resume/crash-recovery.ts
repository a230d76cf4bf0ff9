/**
 * A hub started after its previous run was killed (kill -9, a crash, a power loss) says what was
 * actually lost, and closes what the dead run left open (issue 18, item 14).
 *
 * What is lost over a bus that cannot replay (the in-memory bus of `pulse start`): the write queue
 * commits a batch every flush interval, so lifecycle events of the last interval may be missing —
 * but a restaurant-minute is written only once it settles (5 s after it ends), so every minute
 * after the last one stored, the open minute (~60 s of rollups), is lost outright. Saying "at most
 * one batch" there was wrong by a minute. Over Redis with a checkpoint the replay writes both.
 *
 * Connections open at the kill never got a close: their gateway ran in the same process and died
 * with it. The restart closes each at the run's last sign of life (its last committed write) with
 * cause `hub_killed` — Pulse's failure, so no error of the terminal's — so a timeline reads
 * open → closed (not observed), then the terminal's reconnect, instead of open → open.
 */
import { CloseCode } from '../../../protocol/close-codes.ts';
import type { LifecycleEvent } from '../../../protocol/telemetry.ts';
import type { Store, StoreRecovery } from '../../store/store.ts';

const pad = (n: number) => String(n).padStart(2, '0');
/** Local wall-clock time, as an operator reads it next to their own clock. */
const hms = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
const hm = (t: number) => hms(t).slice(0, 5);

/**
 * The start log's line after an unclean shutdown over a bus that cannot replay (undefined after a
 * clean one); `closed`: the connections `closeLeftOpen` closed.
 */
export function crashMessage(recovered: StoreRecovery, flushIntervalMs: number, closed: number): string | undefined {
  if (recovered.cleanShutdown) return undefined;
  const batch = `at most one batch interval, ${flushIntervalMs} ms`;
  const opens = `; ${closed} connection${closed === 1 ? '' : 's'} open at the kill ${closed === 1 ? 'is' : 'are'} closed as hub_killed`;
  if (recovered.lastWriteAt === undefined) return `previous run did not shut down cleanly; it wrote nothing, so all it accepted (its last ${batch} of events, and every minute it had not settled) is lost${opens}`;
  const at = recovered.lastWriteAt;
  const minutes =
    recovered.lastMinute === undefined
      ? `every restaurant-minute it held up to ${hms(at)} is lost (it had settled none)`
      : `restaurant-minutes from ${hm(recovered.lastMinute + 60_000)} to ${hms(at)} are lost (about ${Math.max(0, Math.round((at - recovered.lastMinute - 60_000) / 1000))} s not yet settled at the kill)`;
  return `previous run did not shut down cleanly; ${minutes}, and events after ${hms(at)} (${batch}) may be missing${opens}`;
}

/**
 * Writes a `hub_killed` close for every connection the store still holds open (opened since
 * `since`), at the dead run's last write; returns them.
 */
export async function closeLeftOpen(store: Pick<Store, 'openConnections' | 'writeEvents'>, since: number, recovered: StoreRecovery): Promise<LifecycleEvent[]> {
  const open = await store.openConnections(since);
  const closes: LifecycleEvent[] = open.map((o) => {
    const t = Math.max(o.t, recovered.lastWriteAt ?? o.t);
    return { type: 'close', gw: o.gw, t, rid: o.rid, tid: o.tid, conn: o.conn, code: CloseCode.abnormal, cause: 'hub_killed', reason: '', byServer: true, durationMs: t - o.t };
  });
  if (closes.length > 0) await store.writeEvents(closes);
  return closes;
}
