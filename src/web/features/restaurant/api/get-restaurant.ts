/** One restaurant with its terminals (`GET /api/restaurants/:rid`, docs/api.md). */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { restaurantAnswerSchema } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { terminalRowsOf } from '../model/terminal-rows.ts';

export function restaurantQuery(api: ApiClient, rid: string) {
  return queryOptions({
    queryKey: ['restaurant', rid],
    queryFn: async ({ signal }) => terminalRowsOf(await api.get(`/api/restaurants/${encodeURIComponent(rid)}`, restaurantAnswerSchema, signal)),
    // Terminal states change by the second; the stream carries only restaurant figures, so poll.
    refetchInterval: 5000,
    staleTime: 0,
  });
}

export function useRestaurantTerminals(rid: string, enabled: boolean) {
  const api = useApi();
  return useQuery({ ...restaurantQuery(api, rid), enabled });
}
