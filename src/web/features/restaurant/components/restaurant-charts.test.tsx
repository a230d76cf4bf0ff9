/**
 * What the user sees when the hub's answer breaks the contract: the restaurant's history, rendered
 * by the real component over the real API client, says which field is wrong — as text — instead
 * of drawing nothing. (Rendered to HTML; the failed query is in the cache as the page would find it.)
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../core/fake-clock.ts';
import { restaurantSeriesAnswer, seriesPoint } from '../../../../protocol/test-helpers/api-fixtures.ts';
import { createApiClient } from '../../../lib/api-client.ts';
import { ApiContext } from '../../../lib/api-context.ts';
import { ClockContext } from '../../../lib/clock.ts';
import { restaurantSeriesQuery } from '../api/get-restaurant-series.ts';
import RestaurantCharts from './restaurant-charts.tsx';

const NOW = Date.UTC(2026, 10, 26, 19, 0, 0);

async function renderAnswering(body: unknown): Promise<string> {
  const fetch = (async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof globalThis.fetch;
  const api = createApiClient({ token: 'jwt', fetch, onUnauthorized: () => {} });
  // No refetch on mount: the page shows what the (one) fetch left in the cache.
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, retryOnMount: false } } });
  await client.prefetchQuery(restaurantSeriesQuery(api, 'r-001', '1h', NOW));
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <ApiContext.Provider value={api}>
        <ClockContext.Provider value={new FakeClock(NOW)}>
          <RestaurantCharts rid="r-001" window="1h" />
        </ClockContext.Provider>
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
}

describe('restaurant history when the answer breaks the contract', () => {
  it('shows which field is wrong, as text, not a blank chart', async () => {
    const broken = restaurantSeriesAnswer([{ ...seriesPoint(NOW - 60_000), heartbeatSuccess: '<b>98 %</b>' as unknown as number }]);
    const html = await renderAnswering(broken);
    expect(html).toContain('History could not be loaded: The hub&#x27;s answer to /api/restaurants/r-001/series does not match the API contract (points.0.heartbeatSuccess: ');
    expect(html).not.toContain('<b>');
  });

  it('the same answer, whole, is not an error', async () => {
    const html = await renderAnswering(restaurantSeriesAnswer([seriesPoint(NOW - 60_000)]));
    expect(html).not.toContain('could not be loaded');
  });
});
