/**
 * The fleet's last hour from the hub's store (`GET /api/fleet/series?from=&to=`, docs/api.md), to
 * fill the charts before the live series covers them. Without it the charts start at page load.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fleetSeriesAnswerSchema, type FleetSeriesAnswer } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { ApiError } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import type { FleetPoint } from '../../../live/fleet-series.ts';

/** The answer's buckets as chart points, oldest first; a bucket without the gauge has nothing to draw. */
export function fleetHistoryOf(answer: FleetSeriesAnswer): FleetPoint[] {
  const out: FleetPoint[] = [];
  for (const p of answer.points) {
    // The gauge per bucket is {last, min, max}; the fleet's connections at the bucket's end is `last`.
    if (p.connections === null) continue;
    out.push({
      t: p.t,
      connections: p.connections.last,
      expected: p.expected ?? 0,
      reconnectsPerMin: p.reconnectsPerMin,
      heartbeatSuccess: p.heartbeatSuccess,
      p50: p.rttMs?.p50 ?? null,
      p95: p.rttMs?.p95 ?? null,
      p99: p.rttMs?.p99 ?? null,
      errorsPerMin: p.errorsPerMin,
      top: {},
      other: 0,
    });
  }
  return out.sort((a, b) => a.t - b.t);
}

export function fleetHistoryQuery(api: ApiClient, hourEndingAt: number) {
  // The key moves by the minute: a refetch a minute later asks for the newer hour.
  const to = Math.floor(hourEndingAt / 60_000) * 60_000;
  const from = to - 3_600_000;
  return queryOptions({
    queryKey: ['fleet', 'history', from, to],
    queryFn: async ({ signal }) => {
      try {
        return fleetHistoryOf(await api.get(`/api/fleet/series?from=${from}&to=${to}`, fleetSeriesAnswerSchema, signal));
      } catch (error) {
        // An older hub without the fleet series: the live series alone draws the charts.
        if (error instanceof ApiError && error.status === 404) return [];
        throw error;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useFleetHistory() {
  const api = useApi();
  // History is fetched once per page view; the live series extends it from then on.
  const clock = useClock();
  const [at] = useState(() => clock.now());
  return useQuery(fleetHistoryQuery(api, at));
}
