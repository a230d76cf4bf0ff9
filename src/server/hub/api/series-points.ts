/**
 * A merged bucket of restaurant-minutes, as a series point of the REST API (docs/api.md). Names
 * carry their unit (`…Ms`, `…PerMin`) or are plain counts; shares are 0–1; "no data" is null.
 */
import type { Histogram } from '../../../core/histogram.ts';
import type { Gauge } from '../../../core/rollup.ts';
import type { MinuteBucket } from './series-buckets.ts';

export type Percentiles = { p50: number; p95: number; p99: number } | null;

export type SeriesPoint = {
  /** Bucket start, ms since epoch. */
  t: number;
  /** Minutes of the bucket that hold data (a partial bucket, or a hub that was down, has fewer). */
  minutes: number;
  connections: Gauge | null;
  expected: number | null;
  opens: number;
  reconnects: number;
  reconnectsPerMin: number;
  /** Closes by WebSocket close code. */
  closes: Record<string, number>;
  errors: Record<string, number>;
  errorsPerMin: number;
  limits: Record<string, number>;
  heartbeatsOnTime: number;
  heartbeatsLate: number;
  heartbeatSuccess: number | null;
  rttMs: Percentiles;
  deliveryMs: Percentiles;
  durationMs: Percentiles;
  stability: number | null;
  connectedMs: number;
  healthyMs: number;
  expectedMs: number;
  msgIn: number;
  msgOut: number;
  bytesIn: number;
  bytesOut: number;
};

function percentiles(h: Histogram | undefined): Percentiles {
  if (!h || h.count === 0) return null;
  return { p50: h.percentile(50)!, p95: h.percentile(95)!, p99: h.percentile(99)! };
}

function family(counters: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) if (k.startsWith(prefix) && v !== 0) out[k.slice(prefix.length)] = v;
  return out;
}

const share = (part: number, whole: number): number | null => (whole > 0 ? Math.min(1, Math.max(0, part / whole)) : null);

export type PointOptions = {
  /** The heartbeat interval: one heartbeat is expected per interval per connected terminal. */
  heartbeatIntervalMs: number;
};

export function pointOf(b: MinuteBucket, o: PointOptions): SeriesPoint {
  const c = (k: string) => b.counters[k] ?? 0;
  const errors = family(b.counters, 'errors.');
  const errorCount = Object.values(errors).reduce((s, n) => s + n, 0);
  const minutes = Math.max(1, b.minutes);
  const connectedMs = c('connectedMs');
  return {
    t: b.start,
    minutes: b.minutes,
    connections: b.gauges.connections ?? null,
    expected: b.gauges.expected?.last ?? null,
    opens: c('opens'),
    reconnects: c('reconnects'),
    reconnectsPerMin: c('reconnects') / minutes,
    closes: family(b.counters, 'closes.'),
    errors,
    errorsPerMin: errorCount / minutes,
    limits: family(b.counters, 'limits.'),
    heartbeatsOnTime: c('hbOnTime'),
    heartbeatsLate: c('hbLate'),
    heartbeatSuccess: share(c('hbOnTime'), connectedMs / o.heartbeatIntervalMs),
    rttMs: percentiles(b.histograms.rtt),
    deliveryMs: percentiles(b.histograms.latency),
    durationMs: percentiles(b.histograms.duration),
    stability: share(c('healthyMs'), c('expectedMs')),
    connectedMs,
    healthyMs: c('healthyMs'),
    expectedMs: c('expectedMs'),
    msgIn: c('msgIn'),
    msgOut: c('msgOut'),
    bytesIn: c('bytesIn'),
    bytesOut: c('bytesOut'),
  };
}
