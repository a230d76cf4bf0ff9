/**
 * The fleet's last hour from the hub's store (`GET /api/fleet/series?from=&to=`, docs/api.md), to
 * fill the charts before the live series covers them. Without it the charts start at page load.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiClient } from '../../../lib/api-client.ts';
import { ApiError } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { asObject, num, percentiles, seriesPoints, timeOf } from '../../../lib/parse.ts';
import type { FleetPoint } from '../../../live/fleet-series.ts';

export function parseFleetHistory(raw: unknown): FleetPoint[] {
  const out: FleetPoint[] = [];
  for (const item of seriesPoints(raw)) {
    const o = asObject(item);
    const t = o && timeOf(o);
    if (!o || t === null) continue;
    const rtt = percentiles(o.rttMs);
    // The gauge per bucket is {last, min, max}; the fleet's connections at the bucket's end is `last`.
    const connections = num(asObject(o.connections)?.last);
    if (connections === null) continue;
    out.push({
      t,
      connections,
      expected: num(o.expected) ?? 0,
      reconnectsPerMin: num(o.reconnectsPerMin) ?? 0,
      heartbeatSuccess: num(o.heartbeatSuccess),
      p50: rtt?.p50 ?? null,
      p95: rtt?.p95 ?? null,
      p99: rtt?.p99 ?? null,
      errorsPerMin: num(o.errorsPerMin) ?? 0,
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
        return await api.get(`/api/fleet/series?from=${from}&to=${to}`, parseFleetHistory, signal);
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
  const [at] = useState(() => Date.now());
  return useQuery(fleetHistoryQuery(api, at));
}
