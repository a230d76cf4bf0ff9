/**
 * Where the stability review reads its minutes: a small async interface of its own, so the review
 * does not care which store (or which tier of one) answers, adapted here to the Store of
 * src/server/store. Async already, as every Store call is.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { Store } from '../store/store.ts';

export interface StabilitySource {
  /** Stored minutes of these restaurants (undefined = all) in [from, to). */
  minutes(rids: readonly string[] | undefined, from: number, to: number): Promise<RestaurantMinute[]>;
}

export function stabilitySourceOfStore(store: Pick<Store, 'readMinutes'>): StabilitySource {
  return { minutes: (rids, from, to) => store.readMinutes(rids ? { rids, from, to } : { from, to }) };
}
