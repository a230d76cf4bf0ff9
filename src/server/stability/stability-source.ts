/**
 * Where the stability review reads its minutes: a small async interface of its own, so the review
 * does not care which store (or which tier of one) answers, adapted here to the Store of
 * src/server/store. The minutes come in steps (`each` is called once per step): a 90-day review
 * of a large fleet is millions of rows, so they are read through the same paged reads as a long
 * series (readMinuteSteps, src/server/hub/api/series-query.ts — pages of about 2,000 rows, the
 * event loop free between them) and folded as they come, never held at once.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import { readMinuteSteps } from '../hub/api/series-query.ts';
import type { Store } from '../store/store.ts';

export interface StabilitySource {
  /** Stored minutes of these restaurants (undefined = all) in [from, to), handed to `each` in steps. */
  minutes(rids: readonly string[] | undefined, from: number, to: number, each: (rows: RestaurantMinute[]) => void): Promise<void>;
}

export function stabilitySourceOfStore(store: Pick<Store, 'readMinutes' | 'readMinutesPage'>, chunkRows?: number): StabilitySource {
  return { minutes: (rids, from, to, each) => readMinuteSteps(store, { rids, from, to, ...(chunkRows ? { chunkRows } : {}) }, each) };
}

/** The whole window in one read, as before paging: what the paged review is tested against. */
export function wholeWindowSourceOfStore(store: Pick<Store, 'readMinutes'>): StabilitySource {
  return { minutes: async (rids, from, to, each) => each(await store.readMinutes(rids ? { rids, from, to } : { from, to })) };
}
