/**
 * How the store knows whether the previous run ended cleanly. On open the marker is read and set
 * to "not clean"; only `close()` sets it back. Each write batch records its time in the same
 * transaction, so after a kill -9 the hub can say from when data may be missing — at most one
 * flush interval of the write queue, which is what a batch waits at most.
 */
import type Database from 'better-sqlite3';
import type { StoreRecovery } from './store.ts';

/** Reads what the previous run left, then marks this run as not (yet) cleanly shut down. */
export function readAndArmShutdownMarker(db: Database.Database, freshFile: boolean): StoreRecovery {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const clean = get.get('clean_shutdown')?.value;
  const lastWrite = get.get('last_write_at')?.value;
  db.prepare("INSERT INTO meta (key, value) VALUES ('clean_shutdown', '0') ON CONFLICT(key) DO UPDATE SET value = excluded.value").run();
  const recovered: StoreRecovery = { cleanShutdown: freshFile || clean === '1', freshFile };
  if (lastWrite !== undefined) recovered.lastWriteAt = Number(lastWrite);
  // Indexed (minutes_by_minute): one step, whatever the size of the store.
  const lastMinute = db.prepare<[], { m: number | null }>('SELECT MAX(minute) AS m FROM minutes').get()?.m;
  if (lastMinute !== null && lastMinute !== undefined) recovered.lastMinute = lastMinute;
  return recovered;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The line the hub prints on start when the previous run was killed, or undefined after a clean
 * shutdown. Local wall-clock time, as an operator reads it next to their own clock.
 */
export function recoveryMessage(recovered: StoreRecovery, flushIntervalMs: number): string | undefined {
  if (recovered.cleanShutdown) return undefined;
  const window = `at most one batch interval, ${flushIntervalMs} ms`;
  if (recovered.lastWriteAt === undefined) return `previous run did not shut down cleanly; it wrote nothing, so what it accepted in its last ${window} may be missing`;
  const d = new Date(recovered.lastWriteAt);
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `previous run did not shut down cleanly; data after ${hms} (${window}) may be missing`;
}
