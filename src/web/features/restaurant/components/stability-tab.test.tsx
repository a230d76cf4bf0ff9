/**
 * The stability tab rendered by the real component over the real API client, fed the answer core
 * computes from a restaurant's minutes (restaurant-history.ts): one bar per local day with
 * the closed day shaded, disconnects stacked by code, closed hours shaded in the weekday × hour
 * grid, the worst hours in words, and the directory's name never applied as markup.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { createDirectory } from '../../../../core/directory/restaurant-directory.ts';
import type { RestaurantMinute } from '../../../../core/rollup.ts';
import { historyWindow, RestaurantHistoryBuilder } from '../../../../core/stability/restaurant-history.ts';
import type { RestaurantStabilityAnswer } from '../../../../protocol/restaurant-stability.ts';
import { createApiClient } from '../../../lib/api-client.ts';
import { ApiContext } from '../../../lib/api-context.ts';
import { restaurantStabilityQuery } from '../api/get-restaurant-stability.ts';
import { StabilityTab } from './stability-tab.tsx';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 9); // Monday 9 Nov 2026 00:00 UTC: the last 7 days are Mon 2 … Sun 8 Nov.

const weekdays = { mon: [['10:00', '22:00']], tue: [['10:00', '22:00']], wed: [['10:00', '22:00']], thu: [['10:00', '22:00']], fri: [['10:00', '22:00']], sat: [['10:00', '22:00']] } as const;
const directory = createDirectory([{ rid: 'r-1', name: '<b>Lille</b>', timezone: 'UTC', hours: { timezone: 'UTC', days: weekdays }, closedDates: [], tags: [] }]);

/** Open Monday to Saturday 10–22; on Tuesday 3 Nov 1 of 4 terminals down 12:00–13:00, with closes. */
function minutes(): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  for (let t = NOW - 7 * DAY; t < NOW; t += 10 * MIN) {
    const tuesdayNoon = t >= Date.UTC(2026, 10, 3, 12) && t < Date.UTC(2026, 10, 3, 13);
    const closes: Record<string, number> = t === Date.UTC(2026, 10, 3, 12) ? { 'closes.1006': 3, 'closes.4008': 1 } : {};
    rows.push({ rid: 'r-1', minute: t, counters: { expectedMs: 4 * MIN, healthyMs: (tuesdayNoon ? 3 : 4) * MIN, ...closes }, gauges: {}, histograms: {} });
  }
  return rows;
}

async function render(): Promise<string> {
  const entry = directory.entry('r-1')!;
  const builder = new RestaurantHistoryBuilder(entry, historyWindow('UTC', 7, NOW));
  builder.add(minutes());
  // What the hub answers (server/stability/restaurant-stability-api.ts), checked again by the client's schema.
  const answer: RestaurantStabilityAnswer = { t: NOW, rid: 'r-1', name: entry.name, tags: [], period: '7d', ...builder.result() };
  const fetch = (async () => new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof globalThis.fetch;
  const api = createApiClient({ token: 'jwt', fetch, onUnauthorized: () => {} });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, retryOnMount: false } } });
  await client.prefetchQuery(restaurantStabilityQuery(api, 'r-1', '7d'));
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <ApiContext.Provider value={api}>
        <StabilityTab rid="r-1" period="7d" onPeriod={() => {}} />
      </ApiContext.Provider>
    </QueryClientProvider>,
  );
}

const attrs = (html: string, tag: RegExp) => [...html.matchAll(tag)].map((m) => m[1]);

describe('the restaurant stability tab', () => {
  it('draws a bar per day, the closed Sunday shaded, disconnects by code and the week grid', async () => {
    const html = await render();
    expect(html).not.toContain('could not be loaded');
    // 12 open hours a day; Tuesday lost 1 terminal-hour of 48 (97.9 %: under 98 % warns); Sunday closed.
    const tones = attrs(html, /<rect[^>]*data-date="([^"]+)" data-tone="([^"]+)"/g);
    expect(tones).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-07', '2026-11-08']);
    expect([...html.matchAll(/data-date="[^"]+" data-tone="([^"]+)" data-stability/g)].map((m) => m[1])).toEqual(['ok', 'warn', 'ok', 'ok', 'ok', 'ok', 'closed']);
    expect(html).toContain(`data-date="2026-11-03" data-tone="warn" data-stability="${47 / 48}"`);
    expect(html).toContain('data-date="2026-11-03" data-code="1006" data-count="3"');
    expect(html).toContain('data-date="2026-11-03" data-code="4008" data-count="1"');
    expect(html).toContain('1006 abnormal');
    expect(html).toContain('4008 heartbeat timeout');
    // The grid: Tuesday noon lost a quarter; Sunday and the night are closed.
    expect(html).toMatch(/data-weekday="1" data-hour="12" data-tone="bad"/);
    expect(html).toMatch(/data-weekday="6" data-hour="12" data-tone="closed"/);
    expect(html).toMatch(/data-weekday="0" data-hour="3" data-tone="closed"/);
    expect(html).toMatch(/data-weekday="0" data-hour="12" data-tone="ok"/);
    expect(html).toContain('Tue 12:00–13:00: 75.0 %');
    // The period's figure: 1 terminal-hour lost of 6 days × 12 h × 4.
    expect(html).toContain(`>99.6 %</span> over the last 7 days`);
    expect(html).toContain('counted within opening hours');
  });
});
