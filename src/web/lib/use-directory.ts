/**
 * The restaurant directory of the viewer's scope (`GET /api/directory`, docs/api.md): names and
 * tags for search in the fleet list and the stability page. Shared here because two features read
 * it. While it loads, or when it fails, search falls back to ids: nothing is hidden for want of it.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { directoryAnswerSchema } from '../../protocol/directory.ts';
import type { ApiClient } from './api-client.ts';
import { useApi } from './api-context.ts';

export function directoryQuery(api: ApiClient) {
  return queryOptions({
    queryKey: ['directory'],
    queryFn: ({ signal }) => api.get('/api/directory', directoryAnswerSchema, signal),
    // The file is reloaded when it changes; a minute late is fine for names.
    refetchInterval: 60_000,
    staleTime: 30_000,
  });
}

export function useDirectory() {
  return useQuery(directoryQuery(useApi()));
}
