import { describe, expect, it } from 'vitest';
import { fleetSeriesAnswerSchema } from '../../../../protocol/api.ts';
import { fleetSeriesAnswer, seriesPoint } from '../../../../protocol/test-helpers/api-fixtures.ts';
import { fleetHistoryOf } from './get-fleet-history.ts';

describe('fleet history (GET /api/fleet/series, docs/api.md)', () => {
  it('reads the documented point shape: the gauge as {last,min,max}, percentiles, shares', () => {
    const answer = fleetSeriesAnswerSchema.parse(
      fleetSeriesAnswer([
        seriesPoint(1_700_000_060_000, { connections: { last: 7, min: 5, max: 8 }, expected: 8, reconnectsPerMin: 0.5, errorsPerMin: 1, heartbeatSuccess: 0.98, rttMs: { p50: 10, p95: 20, p99: 30 } }),
        seriesPoint(1_700_000_000_000, { connections: null, expected: null, reconnectsPerMin: 0, errorsPerMin: 0, heartbeatSuccess: null, rttMs: null }),
        seriesPoint(1_699_999_940_000, { connections: { last: 6, min: 6, max: 6 }, heartbeatSuccess: null, rttMs: null }),
      ]),
    );
    const points = fleetHistoryOf(answer);
    expect(points.map((p) => [p.t, p.connections, p.p95, p.heartbeatSuccess])).toEqual([
      [1_699_999_940_000, 6, null, null],
      [1_700_000_060_000, 7, 20, 0.98],
    ]);
  });
});
