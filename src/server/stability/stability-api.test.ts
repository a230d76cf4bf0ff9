/**
 * `/api/stability` on a real hub (memory bus, real SQLite store seeded with two weeks of minutes,
 * real port): ranked worst first with the change against the week before, cut to a manager's
 * restaurants (ranking, tags and scope figures), filtered by tag, named from the directory, and
 * every answer decodes with the schema the SPA uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { stabilityAnswerSchema, type StabilityAnswer } from '../../protocol/stability.ts';
import type { Hub } from '../hub/hub.ts';
import { DAY, getJson as get, manager, MIN, seededHub, support } from './test-helpers/seeded-hub.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function review(hub: Hub, path: string, token: string): Promise<StabilityAnswer> {
  const r = await get(hub, path, token);
  expect(r.status, path).toBe(200);
  return stabilityAnswerSchema.parse(r.body);
}

describe('/api/stability', () => {
  it('ranks worst first with the change against the previous week, and cuts everything to a manager', async () => {
    const hub = await seededHub(cleanups);
    const all = await review(hub, '/api/stability?period=7d', support);
    expect(all.period).toBe('7d');
    expect(all.restaurants.map((r) => r.rid)).toEqual(['r-003', 'r-001', 'r-002']);
    const r1 = all.restaurants.find((r) => r.rid === 'r-001')!;
    expect(r1.name).toBe('Lille <b>centre</b>');
    expect(r1.current.stability).toBeCloseTo(0.5, 2);
    expect(r1.previous.stability).toBeCloseTo(1, 2);
    expect(r1.change.stability).toBeCloseTo(-0.5, 2);
    expect(r1.daily).toHaveLength(7);
    expect(all.restaurants.find((r) => r.rid === 'r-002')!.change.stability).toBeCloseTo(0.25, 2);

    const mine = await review(hub, '/api/stability?period=7d', manager);
    expect(mine.restaurants.map((r) => r.rid)).toEqual(['r-001', 'r-002']);
    expect(mine.tags).toEqual(['brand:burgers', 'region:north', 'region:south']);
    expect(mine.scope.current.stability).toBeCloseTo(0.75, 2);
    expect(JSON.stringify(mine)).not.toMatch(/r-003|Secret|brand:hidden/);

    const north = await review(hub, '/api/stability?period=7d&tag=region%3Anorth', manager);
    expect(north.restaurants.map((r) => r.rid)).toEqual(['r-001']);
    expect(north.tag).toBe('region:north');
  });

  it('takes a custom period and refuses a bad one with 400 BAD_REQUEST', async () => {
    const hub = await seededHub(cleanups);
    const to = Math.floor(Date.now() / MIN) * MIN;
    const custom = await review(hub, `/api/stability?from=${to - 3 * DAY}&to=${to}`, support);
    expect(custom.period).toBe('custom');
    expect(custom.previous).toEqual({ from: to - 6 * DAY, to: to - 3 * DAY });
    for (const path of ['/api/stability?period=8d', `/api/stability?from=${to - DAY}`, `/api/stability?period=7d&from=1&to=2`, `/api/stability?from=0&to=${300 * DAY}`]) {
      const r = await get(hub, path, support);
      expect([path, r.status, apiErrorBodySchema.parse(r.body).error.code]).toEqual([path, 400, 'BAD_REQUEST']);
    }
    expect((await get(hub, '/api/stability', 'not-a-token')).status).toBe(401);
  });
});
