/**
 * `/api/restaurants/:rid/stability` on a real hub (memory bus, real SQLite store, real port): a
 * restaurant with opening hours gets its known day (75 % within hours, the closed-time disconnects
 * left out, the other days closed-time only), a restaurant without hours its daily bars and the
 * week grid over 30 days; a manager is refused another's restaurant with 403 NOT_IN_SCOPE; a bad
 * period is a 400; every answer decodes with the schema the SPA uses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RestaurantMinute } from '../../core/rollup.ts';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { restaurantStabilityAnswerSchema } from '../../protocol/restaurant-stability.ts';
import { DAY, getJson as get, manager, MIN, seededHub, support } from './test-helpers/seeded-hub.ts';

const HOUR = 60 * MIN;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** r-004, open 10:00–22:00 UTC: yesterday 2 of 4 down 10:00–16:00, all down while closed; a row every 10 min. */
function yesterdayOf(now: number): { date: string; rows: RestaurantMinute[] } {
  const day = Math.floor(now / DAY) * DAY - DAY;
  const rows: RestaurantMinute[] = [];
  for (let t = day; t < day + DAY; t += 10 * MIN) {
    const h = (t - day) / HOUR;
    const healthy = h >= 10 && h < 16 ? 2 : h >= 16 && h < 22 ? 4 : 0;
    const closes: Record<string, number> = h === 11 ? { 'closes.1006': 1 } : h === 3 ? { 'closes.4008': 2 } : {};
    rows.push({ rid: 'r-004', minute: t, counters: { expectedMs: 4 * MIN, healthyMs: healthy * MIN, connectedMs: healthy * MIN, ...closes }, gauges: {}, histograms: {} });
  }
  return { date: new Date(day).toISOString().slice(0, 10), rows };
}

const every = (range: [string, string]) => Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [range]]));

describe('/api/restaurants/:rid/stability', () => {
  it('counts a restaurant with hours within them, day by day, with the closed-time disconnects left out', async () => {
    const now = Date.now();
    const { date, rows } = yesterdayOf(now);
    const hub = await seededHub(cleanups, now, { minutes: rows, entries: [{ rid: 'r-004', name: 'Open late', timezone: 'UTC', hours: { timezone: 'UTC', days: every(['10:00', '22:00']) }, closedDates: [], tags: ['region:east'] }] });
    const r = await get(hub, '/api/restaurants/r-004/stability?period=7d', support);
    expect(r.status).toBe(200);
    const a = restaurantStabilityAnswerSchema.parse(r.body);
    expect([a.rid, a.name, a.period, a.timezone, a.withHours]).toEqual(['r-004', 'Open late', '7d', 'UTC', true]);
    expect(a.days).toHaveLength(7);
    expect(a.days.at(-1)!.date).toBe(new Date(now).toISOString().slice(0, 10));
    const y = a.days.find((d) => d.date === date)!;
    expect([y.stability, y.openMs, y.closes]).toEqual([0.75, 12 * HOUR, { '1006': 1 }]);
    expect(a.codes).toEqual(['1006']);
    expect(a.stability).toBe(0.75);
    // Every other whole day: open 12 h, nothing stored.
    for (const d of a.days.slice(0, -1).filter((d) => d.date !== date)) expect([d.stability, d.openMs]).toEqual([null, 12 * HOUR]);
    const weekday = (new Date(Date.parse(date)).getUTCDay() + 6) % 7;
    const cell = (hour: number) => a.week.find((c) => c.weekday === weekday && c.hour === hour)!;
    expect([cell(10).stability, cell(16).stability, cell(3).stability, cell(3).openMinutes]).toEqual([0.5, 1, null, 0]);
    expect(a.worstHours.map((w) => [w.weekday, w.hour, w.stability])).toEqual([10, 11, 12, 13, 14].map((h) => [weekday, h, 0.5]));
  });

  it('a restaurant without hours over 30 days; a manager is cut to theirs; bad periods refused', async () => {
    const hub = await seededHub(cleanups);
    const r = await get(hub, '/api/restaurants/r-001/stability?period=30d', manager);
    expect(r.status).toBe(200);
    const a = restaurantStabilityAnswerSchema.parse(r.body);
    expect([a.name, a.withHours, a.timezone, a.days.length]).toEqual(['Lille <b>centre</b>', false, 'UTC', 30]);
    // 14 days seeded: 100 % the week before, 50 % this week.
    expect(a.stability).toBeCloseTo(0.75, 2);
    expect(a.days.slice(0, 15).every((d) => d.stability === null)).toBe(true);
    // The last six whole days (today may hold no stored hour yet).
    expect(a.days.slice(-7, -1).map((d) => d.stability)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(a.days.slice(-14, -8).map((d) => d.stability)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(a.week.every((c) => c.openMinutes === c.minutes && c.minutes > 0)).toBe(true);
    expect(a.worstHours).toHaveLength(5);

    const refused = await get(hub, '/api/restaurants/r-003/stability', manager);
    expect([refused.status, apiErrorBodySchema.parse(refused.body).error.code]).toEqual([403, 'NOT_IN_SCOPE']);
    const bad = await get(hub, '/api/restaurants/r-001/stability?period=24h', manager);
    expect([bad.status, apiErrorBodySchema.parse(bad.body).error.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await get(hub, '/api/restaurants/r-001/stability', 'not-a-token')).status).toBe(401);
  });
});
