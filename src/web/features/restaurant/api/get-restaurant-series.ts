/** One restaurant's series over a window (`GET /api/restaurants/:rid/series`, docs/api.md). */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { restaurantSeriesAnswerSchema } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import { restaurantPointsOf, windows, type WindowName } from '../model/restaurant-series.ts';

export function restaurantSeriesQuery(api: ApiClient, rid: string, window: WindowName, endingAt: number) {
  const to = Math.floor(endingAt / 60_000) * 60_000;
  const from = to - windows[window];
  return queryOptions({
    queryKey: ['restaurant', rid, 'series', window],
    queryFn: async ({ signal }) => restaurantPointsOf(await api.get(`/api/restaurants/${encodeURIComponent(rid)}/series?from=${from}&to=${to}`, restaurantSeriesAnswerSchema, signal)),
    // Rollups are per minute: newer data cannot exist sooner.
    refetchInterval: 60_000,
  });
}

export function useRestaurantSeries(rid: string, window: WindowName, enabled: boolean) {
  const api = useApi();
  const clock = useClock();
  const [openedAt] = useState(() => clock.now());
  return useQuery({ ...restaurantSeriesQuery(api, rid, window, Math.max(openedAt, clock.now())), enabled });
}
