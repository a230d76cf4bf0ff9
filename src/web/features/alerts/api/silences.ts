/**
 * Silences and delivery logs (docs/alerts.md): `GET/POST /api/silences`, `DELETE
 * /api/silences/:id`, `GET /api/alerts/:id/deliveries`, and who the viewer is (`GET /api/me`) so
 * the page offers silencing to engineers only — the hub refuses everyone else anyway.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { deliveriesAnswerSchema, silenceAnswerSchema, silencesAnswerSchema, type SilenceRequest } from '../../../../protocol/alerts-api.ts';
import { meAnswerSchema } from '../../../../protocol/api.ts';
import { useApi } from '../../../lib/api-context.ts';

export function useSilences() {
  const api = useApi();
  return useQuery(
    queryOptions({
      queryKey: ['silences'],
      queryFn: ({ signal }) => api.get('/api/silences', silencesAnswerSchema, signal),
      refetchInterval: 5000,
      staleTime: 2000,
    }),
  );
}

/** Whether the viewer may silence: an engineer's token. */
export function useCanSilence(): boolean {
  const api = useApi();
  const me = useQuery({ queryKey: ['me'], queryFn: ({ signal }) => api.get('/api/me', meAnswerSchema, signal), staleTime: Infinity });
  return me.data?.role === 'engineer';
}

/** A silence made or lifted changes what the alerts show at the next tick: both lists are asked again. */
function useRefresh() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: ['silences'] }), client.invalidateQueries({ queryKey: ['alerts'] })]);
}

export function useCreateSilence() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: SilenceRequest) => api.send('POST', '/api/silences', body, silenceAnswerSchema), onSuccess: refresh });
}

export function useLiftSilence() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.send('DELETE', `/api/silences/${encodeURIComponent(id)}`, undefined, silenceAnswerSchema), onSuccess: refresh });
}

/** An episode's webhook deliveries, polled while shown: retries land over seconds to a minute. */
export function useDeliveries(episode: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['alert-deliveries', episode],
    queryFn: ({ signal }) => api.get(`/api/alerts/${encodeURIComponent(episode)}/deliveries`, deliveriesAnswerSchema, signal),
    refetchInterval: 2000,
  });
}
