/**
 * Restaurant-minutes the hub has settled but the store has not committed yet. The write queue
 * holds them for up to one flush interval (longer while the store is failing), and a series asked
 * for in that window must still show them: history must not dip for a second after each minute.
 *
 * The write queue is handed `storeForQueue`, which forgets rows once the store resolved their write.
 * With the synchronous SQLite store, the commit and the forgetting happen in the same macrotask, so
 * a request never sees a row both in the store and here. (An asynchronous store would open a short
 * window of double counting; the PostgreSQL twin will need a write-id to close it.)
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { Store } from '../store/store.ts';

export class UnwrittenMinutes {
  private readonly rows = new Set<RestaurantMinute>();

  constructor(private readonly store: Pick<Store, 'writeMinutes' | 'writeEvents'>) {}

  /** Call with every row handed to the write queue, in the same tick. */
  track(rows: readonly RestaurantMinute[]): void {
    for (const r of rows) this.rows.add(r);
  }

  /** Rows of `rid` (or all) in [from, to) still waiting for the store. */
  of(rid: string | undefined, from: number, to: number): RestaurantMinute[] {
    const out: RestaurantMinute[] = [];
    for (const r of this.rows) if ((rid === undefined || r.rid === rid) && r.minute >= from && r.minute < to) out.push(r);
    return out;
  }

  get size(): number {
    return this.rows.size;
  }

  /** What the write queue writes through. */
  readonly storeForQueue: Pick<Store, 'writeMinutes' | 'writeEvents'> = {
    writeMinutes: async (rows, checkpoint) => {
      await this.store.writeMinutes(rows, checkpoint);
      for (const r of rows) this.rows.delete(r);
    },
    writeEvents: (events, checkpoint) => this.store.writeEvents(events, checkpoint),
  };
}
