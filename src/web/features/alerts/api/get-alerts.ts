/** Alerts in the viewer's scope (`GET /api/alerts`, docs/alerts.md): the page, the header count, the banner. */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { alertsAnswerSchema } from '../../../../protocol/alerts.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';

export function alertsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: ['alerts'],
    queryFn: ({ signal }) => api.get('/api/alerts', alertsAnswerSchema, signal),
    // The stream carries no alerts (yet): poll. One query key, so the header, the banner and the
    // page share one request.
    refetchInterval: 5000,
    staleTime: 2000,
  });
}

export function useAlerts() {
  return useQuery(alertsQuery(useApi()));
}
