/**
 * The hour's history of the restaurants "Connections by restaurant" names, one
 * `GET /api/restaurants/:rid/series` each (docs/api.md) over the same window as the fleet's
 * history, so their buckets line up (model/history-split.ts). Six small requests once per page
 * view; a restaurant whose series fails leaves the history unsplit, never wrong.
 */
import { queryOptions, useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { restaurantSeriesAnswerSchema } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import type { RestaurantConnections } from '../model/history-split.ts';

export function restaurantHourQuery(api: ApiClient, rid: string, hourEndingAt: number) {
  const to = Math.floor(hourEndingAt / 60_000) * 60_000;
  const from = to - 3_600_000;
  return queryOptions({
    queryKey: ['fleet', 'history', 'restaurant', rid, from, to],
    queryFn: async ({ signal }): Promise<ReadonlyMap<number, number>> => {
      const answer = await api.get(`/api/restaurants/${encodeURIComponent(rid)}/series?from=${from}&to=${to}`, restaurantSeriesAnswerSchema, signal);
      const out = new Map<number, number>();
      for (const p of answer.points) if (p.connections) out.set(p.t, p.connections.last);
      return out;
    },
    staleTime: 5 * 60_000,
    retry: 1,
  });
}

/** The connections of each of `rids` by bucket; a restaurant not (yet) loaded is absent. */
export function useTopHistory(rids: readonly string[]): RestaurantConnections {
  const api = useApi();
  const clock = useClock();
  const [at] = useState(() => clock.now());
  const results = useQueries({ queries: rids.map((rid) => restaurantHourQuery(api, rid, at)) });
  // A new map only when an answer arrives: the charts redraw on a new value (10–25 ms each).
  const key = results.map((r) => r.dataUpdatedAt).join(',');
  return useMemo(() => {
    const out = new Map<string, ReadonlyMap<number, number>>();
    results.forEach((r, i) => r.data && out.set(rids[i]!, r.data));
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `results`, which is a new array every render
  }, [key, rids]);
}
