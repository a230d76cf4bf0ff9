/** The stability review (`GET /api/stability`, docs/api.md and docs/stability.md). */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { stabilityAnswerSchema, type StabilityPeriodName } from '../../../../protocol/stability.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';

export function stabilityPath(period: StabilityPeriodName, tag: string | null): string {
  return `/api/stability?period=${period}${tag ? `&tag=${encodeURIComponent(tag)}` : ''}`;
}

export function stabilityQuery(api: ApiClient, period: StabilityPeriodName, tag: string | null) {
  return queryOptions({
    queryKey: ['stability', period, tag],
    queryFn: ({ signal }) => api.get(stabilityPath(period, tag), stabilityAnswerSchema, signal),
    // Figures over days move by the minute: a refresh a minute is plenty.
    refetchInterval: 60_000,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

export function useStability(period: StabilityPeriodName, tag: string | null) {
  return useQuery(stabilityQuery(useApi(), period, tag));
}
