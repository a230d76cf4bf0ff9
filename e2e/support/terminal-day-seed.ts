/**
 * A terminal's bad day in a running system's store: the hub is stopped, the events written straight
 * into its SQLite store (the bench's generator, bench/ui/terminal-seed.ts: opens and closes in pairs
 * over the last 24 h), and the hub started again on the same data — on start it learns the
 * terminals the store saw lately, so the seeded one has a page. Thousands of events through the real
 * gateway would take hours of real time; the read path (store → API → page) is what is under test.
 */
import { openSqliteStore } from '../../src/server/store/sqlite-store.ts';
import type { LifecycleEvent } from '../../src/server/store/store.ts';
import { seededRid, seededTid, terminalDay } from '../../bench/ui/terminal-seed.ts';
import type { PulseSystem } from './pulse-system.ts';

export { seededRid, seededTid };

/** Seeds `count` events ending at `end` and returns them, in time order. */
export async function seedTerminalDayInto(sys: PulseSystem, count: number, end: number): Promise<LifecycleEvent[]> {
  const events = terminalDay(count, end);
  await sys.killHub();
  const { store } = await openSqliteStore({ dataDir: sys.dataDir });
  try {
    await store.writeEvents(events);
  } finally {
    await store.close();
  }
  await sys.restartHub();
  return [...events].sort((a, b) => a.t - b.t);
}
