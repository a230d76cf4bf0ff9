/**
 * Whether the viewer holds an engineer's token, from `GET /api/me` (shared cache key with the
 * alerts page). Not from the live snapshot's scope: the hub shares one whole-fleet scope between
 * support and engineers there, so its role reads `support` for both.
 */
import { useQuery } from '@tanstack/react-query';
import { meAnswerSchema } from '../../../../protocol/api.ts';
import { useApi } from '../../../lib/api-context.ts';

export function useIsEngineer(): boolean {
  const api = useApi();
  const me = useQuery({ queryKey: ['me'], queryFn: ({ signal }) => api.get('/api/me', meAnswerSchema, signal), staleTime: Infinity });
  return me.data?.role === 'engineer';
}
