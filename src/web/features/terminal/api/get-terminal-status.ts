/**
 * The terminal's live row (`GET /api/restaurants/:rid`, docs/api.md), polled every 5 s: its current
 * connection, last heartbeat and RTT. Each new heartbeat is logged (model/beat-log.ts), so the
 * heartbeat strip and the RTT chart fill while the page is open.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { restaurantAnswerSchema } from '../../../../protocol/api.ts';
import type { ApiClient } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { addPoll, emptyBeatLog, statusOf, type BeatLog, type BeatRules } from '../model/beat-log.ts';

export function terminalStatusQuery(api: ApiClient, rid: string, tid: string) {
  return queryOptions({
    queryKey: ['terminal', rid, tid, 'status'],
    queryFn: async ({ signal }) => statusOf(await api.get(`/api/restaurants/${encodeURIComponent(rid)}`, restaurantAnswerSchema, signal), tid),
    refetchInterval: 5000,
    staleTime: 0,
  });
}

/** The row (null until the restaurant is known) and the heartbeats logged from it. */
export function useTerminalStatus(rid: string | null, tid: string, rules: BeatRules) {
  const api = useApi();
  const query = useQuery({ ...terminalStatusQuery(api, rid ?? '', tid), enabled: rid !== null });
  const [log, setLog] = useState<BeatLog>(emptyBeatLog);
  const { data, dataUpdatedAt } = query;
  useEffect(() => {
    if (data === undefined) return;
    // One poll, one entry: `dataUpdatedAt` changes with every answer, even an identical one.
    setLog((prev) => addPoll(prev, data, dataUpdatedAt, rules));
  }, [data, dataUpdatedAt, rules]);
  return { status: data ?? null, log, error: query.error };
}
