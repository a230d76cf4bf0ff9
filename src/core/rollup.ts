/**
 * The per-restaurant, per-minute rollup: what the store keeps for 14 days (then rolled into
 * restaurant-hours, hour-tier.ts) and what history views (stability over days, charts over a
 * window) are computed from. The fleet state produces one
 * `RestaurantMinute` per restaurant per minute once the minute has settled; the store persists it
 * as is and may merge several into a wider bucket with `mergeMinutes` (histograms merge exactly,
 * so a fleet-day from restaurant-minutes is as precise as a fleet-day from raw samples).
 *
 * Keys are open-ended strings (`Record<string, …>`) so that adding a counter never needs a schema
 * migration; the keys written today are listed in `rollupKeys` with their units.
 */
import { decodeHistogram } from './histogram.ts';
import type { CountWidth, Histogram } from './histogram.ts';

/** A gauge over a bucket: its value at the end, and its extremes within. */
export interface Gauge {
  last: number;
  min: number;
  max: number;
}

export interface RestaurantMinute {
  /** Restaurant id. */
  rid: string;
  /** Start of the minute, ms since epoch, floored to the minute. */
  minute: number;
  /** Event counts and summed durations in this minute; see `rollupKeys.counters`. Absent key = 0. */
  counters: Record<string, number>;
  /** Gauges over this minute; see `rollupKeys.gauges`. */
  gauges: Record<string, Gauge>;
  /** Encoded histograms (`encodeHistogram` of src/core/histogram.ts); absent when empty. */
  histograms: Record<string, string>;
  /**
   * How many minutes of data this row stands for, when not one: 60 for a row the store read from
   * its hour tier (src/core/hour-tier.ts), so a rate "per minute of data" over it is not 60× too
   * high. Set on read only; never stored, never merged.
   */
  spanMinutes?: number;
}

/**
 * The keys written into a `RestaurantMinute`, with units. Counters with a `.<x>` suffix are
 * families: `closes.<code>`, `errors.<errorType>`, `limits.<limitKind>`.
 */
export const rollupKeys = {
  counters: {
    opens: 'authenticated connections opened',
    reconnects: 'opens by a terminal whose previous connection closed ≤ 10 min earlier (counted across gateways)',
    'closes.<code>': 'authenticated connections closed, by WebSocket close code',
    'errors.<type>': 'errors by type (see errorTypes in src/protocol/telemetry.ts)',
    'limits.<kind>': 'limit hits by kind: rate, size, invalid',
    hbOnTime: 'heartbeats received within the interval plus grace',
    hbLate: 'heartbeats received after the interval plus grace',
    hbExpected: 'heartbeats expected: intervals (plus grace) that ran out while a terminal was connected and the hub watching',
    connectedMs: 'terminal-time connected, ms (Σ over terminals with an open connection of the time they had one)',
    healthyMs: 'terminal-time connected and healthy (last heartbeat younger than 20 s), ms',
    expectedMs: 'terminal-time expected, ms (terminals seen in the last 7 days × time of the minute observed)',
    msgIn: 'messages received from terminals',
    msgOut: 'messages sent to terminals',
    bytesIn: 'bytes received from terminals',
    bytesOut: 'bytes sent to terminals',
  },
  gauges: {
    connections: 'authenticated open terminal connections',
    expected: 'terminals seen in the last 7 days',
  },
  histograms: {
    rtt: 'heartbeat RTT reported by terminals, values in µs',
    latency: 'order-update delivery latency (send → ack), values in µs',
    duration: 'duration of connections closed in the minute, values in µs',
  },
} as const;

/** Counter keys, spelled in one place. */
export const counterKey = {
  closes: (code: number | string) => `closes.${code}`,
  errors: (type: string) => `errors.${type}`,
  limits: (kind: string) => `limits.${kind}`,
} as const;

/** Entries of a counter family, e.g. `family(counters, 'closes')` → `{ '1000': 3, '4008': 1 }`. */
export function family(counters: Readonly<Record<string, number>>, name: 'closes' | 'errors' | 'limits'): Record<string, number> {
  const prefix = `${name}.`;
  const out: Record<string, number> = {};
  for (const key in counters) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = counters[key] as number;
  return out;
}

export function addCounters(into: Record<string, number>, from: Readonly<Record<string, number>>): Record<string, number> {
  for (const key in from) into[key] = (into[key] ?? 0) + (from[key] as number);
  return into;
}

/** Combine two gauges of consecutive buckets: `b` is the later one, so its `last` wins. */
export function combineGauges(a: Gauge | undefined, b: Gauge): Gauge {
  return a === undefined ? { ...b } : { last: b.last, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/**
 * Merge restaurant-minutes (of one restaurant, or of several for a fleet view) into one bucket:
 * counters add, gauges combine in time order, histograms merge exactly. `minute` of the result is
 * the earliest; `rid` is the one given. Histograms that do not decode are skipped and counted.
 * Gauges of several restaurants at the same minute should be summed by the caller first — here
 * they are combined as if consecutive.
 */
export function mergeMinutes(rid: string, minutes: readonly RestaurantMinute[], width: CountWidth = 64): { merged: RestaurantMinute; invalidHistograms: number } {
  const sorted = [...minutes].sort((a, b) => a.minute - b.minute);
  const counters: Record<string, number> = {};
  const gauges: Record<string, Gauge> = {};
  const hists = new Map<string, Histogram>();
  let invalidHistograms = 0;
  for (const m of sorted) {
    addCounters(counters, m.counters);
    for (const key in m.gauges) gauges[key] = combineGauges(gauges[key], m.gauges[key] as Gauge);
    for (const key in m.histograms) {
      const h = decodeHistogram(m.histograms[key] as string, width);
      if (!h) {
        invalidHistograms++;
        continue;
      }
      const into = hists.get(key);
      if (into) into.merge(h);
      else hists.set(key, h);
    }
  }
  const histograms: Record<string, string> = {};
  for (const [key, h] of hists) if (h.count > 0) histograms[key] = h.encode();
  return { merged: { rid, minute: sorted[0]?.minute ?? 0, counters, gauges, histograms }, invalidHistograms };
}
