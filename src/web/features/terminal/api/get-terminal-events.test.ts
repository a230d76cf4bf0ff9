/**
 * The terminal view's fetch at a pinned moment: the window and the `fetchedAt` the live feed joins
 * on come from the SPA's clock (a FakeClock here), and the answer is decoded with the protocol's
 * schema before the view sees it.
 */
import type { QueryFunctionContext } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../core/fake-clock.ts';
import { eventsPage } from '../../../../protocol/test-helpers/api-fixtures.ts';
import { createApiClient } from '../../../lib/api-client.ts';
import { lookbackMs, terminalEventsQuery, type TerminalEvents } from './get-terminal-events.ts';

const NOW = Date.UTC(2026, 10, 26, 19, 0, 0);

function hubAnswering(body: unknown, asked: string[]) {
  const fetch = (async (url: string) => {
    asked.push(url);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return createApiClient({ token: 'jwt', fetch, onUnauthorized: () => {} });
}

async function run(query: ReturnType<typeof terminalEventsQuery>): Promise<TerminalEvents> {
  const context = { signal: new AbortController().signal, queryKey: query.queryKey, meta: undefined } as unknown as QueryFunctionContext<typeof query.queryKey>;
  return (query.queryFn as (c: typeof context) => Promise<TerminalEvents>)(context);
}

describe('terminal events query (GET /api/restaurants/:rid/terminals/:tid/events)', () => {
  it('asks for the window ending at the clock’s now, with the lookback, and stamps the fetch with it', async () => {
    const clock = new FakeClock(NOW);
    const asked: string[] = [];
    const query = terminalEventsQuery(hubAnswering(eventsPage({ tid: 't1' }), asked), 'r-001', 't1', { kind: '15m' }, clock);
    expect(query.refetchInterval).toBe(15_000);
    const got = await run(query);
    expect(asked).toEqual([`/api/restaurants/r-001/terminals/t1/events?from=${NOW - 15 * 60_000 - lookbackMs}&to=${NOW}&limit=5000`]);
    expect(got).toMatchObject({ fetchedAt: NOW, from: NOW - 15 * 60_000, to: NOW, page: { tid: 't1', rid: 'r-001', events: [] } });
  });

  it('a past custom window is not live by the same clock', () => {
    const clock = new FakeClock(NOW);
    const query = terminalEventsQuery(hubAnswering(eventsPage(), []), 'r-001', 't1', { kind: 'custom', from: NOW - 7_200_000, to: NOW - 3_600_000 }, clock);
    expect(query.refetchInterval).toBe(false);
  });

  it('an answer that breaks the contract rejects with the field named', async () => {
    const broken = { ...eventsPage(), more: 'yes' };
    await expect(run(terminalEventsQuery(hubAnswering(broken, []), 'r-001', 't1', { kind: '15m' }, new FakeClock(NOW)))).rejects.toThrow(/does not match the API contract \(.*more: /);
  });
});
