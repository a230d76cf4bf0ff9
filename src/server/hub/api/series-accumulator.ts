/**
 * Buckets of a series folded row by row, for store rows streamed in time chunks: memory holds one
 * accumulator per bucket (≤ 500) — counters, one histogram sum per key, and each minute's gauges
 * summed across restaurants — never the rows. The figures are those `bucketize` gives for the same
 * rows (series-buckets.ts; the equality is tested): counters add, histograms merge exactly, and
 * gauges are summed per minute across restaurants, then combined in time order.
 *
 * It relies on what the store guarantees: one row per (rid, minute) (both engines' primary key),
 * so a minute's sum needs no per-restaurant combine first. Rows of other sources — queued, open
 * minutes, which may repeat a stored (rid, minute) — go through `bucketize` instead
 * (series-query.ts keeps the two apart by bucket).
 */
import { combineGauges, type Gauge, type RestaurantMinute } from '../../../core/rollup.ts';
import type { Bucket } from './series-buckets.ts';
import { HistogramSum } from './series-histogram-sum.ts';

type Acc = {
  counters: Record<string, number>;
  gaugesByMinute: Map<number, Record<string, Gauge>>;
  histograms: Map<string, HistogramSum>;
  invalid: number;
};

export class SeriesAccumulator {
  private readonly buckets = new Map<number, Acc>();
  /** Restaurants that had at least one row (the fleet series' `restaurants`). */
  readonly rids = new Set<string>();
  rows = 0;

  constructor(
    private readonly bucketMs: number,
    private readonly label: string,
  ) {}

  add(rows: readonly RestaurantMinute[]): void {
    for (const row of rows) {
      this.rows++;
      this.rids.add(row.rid);
      const start = Math.floor(row.minute / this.bucketMs) * this.bucketMs;
      let acc = this.buckets.get(start);
      if (!acc) this.buckets.set(start, (acc = { counters: {}, gaugesByMinute: new Map(), histograms: new Map(), invalid: 0 }));
      for (const k in row.counters) acc.counters[k] = (acc.counters[k] ?? 0) + (row.counters[k] as number);
      let sum = acc.gaugesByMinute.get(row.minute);
      if (!sum) acc.gaugesByMinute.set(row.minute, (sum = {}));
      for (const k in row.gauges) {
        const a = sum[k];
        const b = row.gauges[k] as Gauge;
        sum[k] = a ? { last: a.last + b.last, min: a.min + b.min, max: a.max + b.max } : { ...b };
      }
      for (const k in row.histograms) {
        let h = acc.histograms.get(k);
        if (!h) acc.histograms.set(k, (h = new HistogramSum()));
        if (!h.add(row.histograms[k] as string)) acc.invalid++;
      }
    }
  }

  /** The buckets in time order, as `bucketize` shapes them. */
  result(): Bucket[] {
    return [...this.buckets]
      .sort(([a], [b]) => a - b)
      .map(([start, acc]) => {
        const gauges: Record<string, Gauge> = {};
        for (const [, sum] of [...acc.gaugesByMinute].sort(([a], [b]) => a - b)) for (const k in sum) gauges[k] = combineGauges(gauges[k], sum[k] as Gauge);
        const histograms: Record<string, string> = {};
        for (const [k, h] of acc.histograms) {
          const encoded = h.encode();
          if (encoded !== undefined) histograms[k] = encoded;
        }
        const merged: RestaurantMinute = { rid: this.label, minute: start, counters: acc.counters, gauges, histograms };
        return { start, minutes: acc.gaugesByMinute.size, merged, invalidHistograms: acc.invalid };
      });
  }
}
