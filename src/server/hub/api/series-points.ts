/**
 * A bucket of the series as a point of the REST API (docs/api.md). The figures are core's
 * (`minuteFigures`: heartbeat success, stability, percentiles…); this only adds the raw counts the
 * figures are made of, named with their units. Its shape is the contract's (`seriesPointSchema`,
 * src/protocol/api-series.ts).
 */
import { minuteFigures } from '../../../core/figures.ts';
import { family } from '../../../core/rollup.ts';
import type { SeriesPoint } from '../../../protocol/api.ts';
import type { Bucket } from './series-buckets.ts';

export function pointOf(b: Bucket): SeriesPoint {
  const f = minuteFigures(b.merged);
  const c = b.merged.counters;
  const n = (k: string) => c[k] ?? 0;
  // Rates per minute of data: a bucket the hub saw only half of is not half as busy.
  const minutes = Math.max(1, b.minutes);
  return {
    t: b.start,
    minutes: b.minutes,
    connections: f.connections,
    expected: f.expected,
    opens: f.opens,
    reconnects: f.reconnects,
    reconnectsPerMin: f.reconnects / minutes,
    closes: f.closes,
    errors: f.errors,
    errorsPerMin: f.errorsTotal / minutes,
    limits: family(c, 'limits'),
    heartbeatsOnTime: n('hbOnTime'),
    heartbeatsLate: n('hbLate'),
    heartbeatSuccess: f.heartbeatSuccess,
    rttMs: f.rttMs,
    deliveryMs: f.deliveryMs,
    durationMs: f.durationMs,
    stability: f.stability,
    connectedMs: n('connectedMs'),
    healthyMs: n('healthyMs'),
    expectedMs: n('expectedMs'),
    msgIn: n('msgIn'),
    msgOut: n('msgOut'),
    bytesIn: n('bytesIn'),
    bytesOut: n('bytesOut'),
  };
}
