/**
 * The per-restaurant, per-minute rollup: what the store keeps for 30 days and what history views
 * (stability over days, charts over a window) are computed from. The fleet state produces one
 * `RestaurantMinute` per restaurant per minute once the minute has settled; the store persists it
 * as is and may merge several into a wider bucket with `mergeMinutes` (histograms merge exactly,
 * so a fleet-day from restaurant-minutes is as precise as a fleet-day from raw samples).
 *
 * Keys are open-ended strings (`Record<string, …>`) so that adding a counter never needs a schema
 * migration; the keys written today are listed in `rollupKeys` with their units.
 */

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
    connectedMs: 'terminal-time connected, ms (Σ over connections of their time open in this minute)',
    healthyMs: 'terminal-time connected and healthy (heartbeat age below the healthy threshold), ms',
    expectedMs: 'terminal-time expected, ms (expected terminals × time of the minute observed)',
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
