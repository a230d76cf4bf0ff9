/**
 * One terminal with a bad day, written into the hub's store before the hub starts: 5,000 lifecycle
 * events over the last 24 h (opens and closes in pairs — clean closes, abnormal drops, heartbeat
 * timeouts, now and then a rate-limit hit), so the bench can time the terminal view's 24 h window
 * at the size issue 4's drill-down must handle. Its restaurant is not one the simulator runs, so
 * the fleet's figures are those of the simulated fleet plus one restaurant that is down.
 */
import { seededRandom } from '../../src/core/clock.ts';
import { openSqliteStore } from '../../src/server/store/sqlite-store.ts';
import type { LifecycleEvent } from '../../src/server/store/store.ts';

export const seededRid = 'r-bench';
export const seededTid = 'r-bench-t1';

export function terminalDay(count: number, end: number, spanMs = 86_400_000 - 10 * 60_000): LifecycleEvent[] {
  const random = seededRandom(24);
  const gw = 'gw-bench-seed';
  const pairs = Math.floor(count / 2);
  const step = spanMs / pairs;
  const events: LifecycleEvent[] = [];
  const who = (i: number) => ({ gw, rid: seededRid, tid: seededTid, conn: `seed-${i}` });
  for (let i = 0; i < pairs && events.length < count; i++) {
    const openAt = Math.round(end - spanMs + i * step);
    const up = Math.round(step * (0.5 + random() * 0.45));
    events.push({ type: 'open', t: openAt, ...who(i), via: 'subprotocol' });
    const kind = random();
    const close =
      kind < 0.5
        ? { code: 1006, cause: 'abnormal_close' as const, reason: '', byServer: false }
        : kind < 0.8
          ? { code: 1000, cause: 'client_close' as const, reason: 'bye', byServer: false }
          : { code: 4008, cause: 'heartbeat_timeout' as const, reason: 'Heartbeat timeout', byServer: true };
    events.push({ type: 'close', t: openAt + up, ...who(i), ...close, durationMs: up });
  }
  // An odd count: one rate-limit hit in the last connection.
  if (events.length < count) events.splice(-1, 0, { type: 'limit', t: events.at(-1)!.t - 1, ...who(pairs - 1), kind: 'rate', detail: 'seeded' });
  return events;
}

/** Writes the day into the store in `dataDir` (created if need be) and closes it cleanly. */
export async function seedTerminalDay(dataDir: string, count: number, end: number): Promise<void> {
  const { store } = await openSqliteStore({ dataDir });
  try {
    await store.writeEvents(terminalDay(count, end));
  } finally {
    await store.close();
  }
}
