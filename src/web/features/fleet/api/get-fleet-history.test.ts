import { describe, expect, it } from 'vitest';
import { parseFleetHistory } from './get-fleet-history.ts';

describe('fleet history (GET /api/fleet/series, docs/api.md)', () => {
  it('reads the documented point shape: the gauge as {last,min,max}, percentiles, shares', () => {
    const points = parseFleetHistory({
      from: 0,
      to: 0,
      bucketMs: 60_000,
      restaurants: 2,
      points: [
        { t: 1_700_000_060_000, connections: { last: 7, min: 5, max: 8 }, expected: 8, reconnectsPerMin: 0.5, errorsPerMin: 1, heartbeatSuccess: 0.98, rttMs: { p50: 10, p95: 20, p99: 30 } },
        { t: 1_700_000_000_000, connections: null, expected: null, reconnectsPerMin: 0, errorsPerMin: 0, heartbeatSuccess: null, rttMs: null },
        { t: 1_699_999_940_000, connections: { last: 6, min: 6, max: 6 }, heartbeatSuccess: null, rttMs: null },
      ],
      total: {},
    });
    expect(points.map((p) => [p.t, p.connections, p.p95, p.heartbeatSuccess])).toEqual([
      [1_699_999_940_000, 6, null, null],
      [1_700_000_060_000, 7, 20, 0.98],
    ]);
  });
});
