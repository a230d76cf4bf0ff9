/**
 * How two writes of the same restaurant-minute combine. The hub may write a minute more than once
 * (a partial minute before a restart, then the rest; two gateways' shares; a retried batch), and
 * the stored row must equal what one write of everything would have given. Pure and generic: it
 * knows no figure by name.
 */
import { StoreError } from './store-errors.ts';
import type { MergeHistogram, RestaurantMinute } from './store.ts';

/**
 * `newer` is the later write: its gauge `last` wins; counters add; min/max combine; histograms
 * present on both sides go through `mergeHistogram`.
 */
export function mergeMinute(older: RestaurantMinute, newer: RestaurantMinute, mergeHistogram: MergeHistogram | undefined): RestaurantMinute {
  const counters = { ...older.counters };
  for (const [k, v] of Object.entries(newer.counters)) counters[k] = (counters[k] ?? 0) + v;

  const gauges = { ...older.gauges };
  for (const [k, g] of Object.entries(newer.gauges)) {
    const o = gauges[k];
    gauges[k] = o ? { last: g.last, min: Math.min(o.min, g.min), max: Math.max(o.max, g.max) } : { ...g };
  }

  const histograms = { ...older.histograms };
  for (const [k, h] of Object.entries(newer.histograms)) {
    const o = histograms[k];
    if (o === undefined) histograms[k] = h;
    else if (!mergeHistogram) throw new StoreError('STORE_NO_HISTOGRAM_MERGE', `histogram "${k}" of ${older.rid} at ${older.minute}`);
    else histograms[k] = mergeHistogram(o, h);
  }
  return { rid: older.rid, minute: older.minute, counters, gauges, histograms };
}
