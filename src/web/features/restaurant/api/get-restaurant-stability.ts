/** One restaurant's stability tab (`GET /api/restaurants/:rid/stability`, docs/api.md and docs/stability.md). */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { restaurantStabilityAnswerSchema, type RestaurantStabilityPeriod } from '../../../../protocol/restaurant-stability.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';

export function restaurantStabilityQuery(api: ApiClient, rid: string, period: RestaurantStabilityPeriod) {
  return queryOptions({
    queryKey: ['restaurant', rid, 'stability', period],
    queryFn: ({ signal }) => api.get(`/api/restaurants/${encodeURIComponent(rid)}/stability?period=${period}`, restaurantStabilityAnswerSchema, signal),
    // Days and weekday-hours move by the minute at most.
    refetchInterval: 60_000,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

export function useRestaurantStability(rid: string, period: RestaurantStabilityPeriod) {
  return useQuery(restaurantStabilityQuery(useApi(), rid, period));
}
