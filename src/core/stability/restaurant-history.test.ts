/**
 * The restaurant page's stability tab with known answers: daily stability within opening hours,
 * closed days and hours, the weekday × hour grid and its worst hours, disconnects by code per day
 * with the rare codes merged, local days across a DST change, and a restaurant without hours.
 */
import { describe, expect, it } from 'vitest';
import type { RestaurantEntry } from '../directory/restaurant-directory.ts';
import type { RestaurantMinute } from '../rollup.ts';
import { historyWindow, localMidnight, RestaurantHistoryBuilder } from './restaurant-history.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAY0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026, 00:00 UTC

type Entry = Pick<RestaurantEntry, 'timezone' | 'hours' | 'closedDates'>;
const everyDay = (range: [string, string]) => ({ sun: [range], mon: [range], tue: [range], wed: [range], thu: [range], fri: [range], sat: [range] });
const open10to22: Entry = { timezone: 'UTC', hours: { timezone: 'UTC', days: everyDay(['10:00', '22:00']) }, closedDates: [] };

function minute(t: number, expected: number, healthy: number, extra: Record<string, number> = {}): RestaurantMinute {
  return { rid: 'r', minute: t, counters: { expectedMs: expected * MIN, healthyMs: healthy * MIN, ...extra }, gauges: {}, histograms: {} };
}

/** 4 terminals: on `DAY0` 2 down 10:00–16:00 and all down while closed; every other day all up. */
function twoDays(): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  for (let t = DAY0; t < DAY0 + 2 * DAY; t += MIN) {
    const h = ((t - DAY0) % DAY) / HOUR;
    const firstDay = t < DAY0 + DAY;
    rows.push(minute(t, 4, firstDay && h >= 10 && h < 16 ? 2 : firstDay && (h < 10 || h >= 22) ? 0 : 4));
  }
  return rows;
}

function build(entry: Entry, window: { from: number; to: number }, rows: RestaurantMinute[]) {
  const b = new RestaurantHistoryBuilder(entry, window);
  // In two steps, as the paged read hands them over.
  b.add(rows.slice(0, 1000));
  b.add(rows.slice(1000));
  return b.result();
}

describe('a restaurant over its last local days', () => {
  it('daily stability within opening hours; closed hours are not outages but are shaded in the week', () => {
    const window = historyWindow('UTC', 2, DAY0 + 2 * DAY);
    expect(window).toEqual({ from: DAY0, to: DAY0 + 2 * DAY });
    const h = build(open10to22, window, twoDays());
    expect(h.withHours).toBe(true);
    expect(h.days.map((d) => [d.date, d.stability, d.openMs])).toEqual([['2026-11-02', 0.75, 12 * HOUR], ['2026-11-03', 1, 12 * HOUR]]);
    expect(h.days[0]!.expectedMs).toBe(12 * 60 * 4 * MIN);
    const cell = (weekday: number, hour: number) => h.week[weekday * 24 + hour]!;
    expect(h.week).toHaveLength(168);
    expect([cell(0, 10).stability, cell(0, 15).stability, cell(0, 16).stability]).toEqual([0.5, 0.5, 1]);
    // 03:00 on Monday: closed, so nothing counted and no open minute.
    expect(cell(0, 3)).toMatchObject({ stability: null, minutes: 60, openMinutes: 0 });
    expect(cell(1, 12)).toMatchObject({ stability: 1, minutes: 60, openMinutes: 60 });
    // Wednesday is outside the window altogether.
    expect(cell(2, 12)).toMatchObject({ minutes: 0, openMinutes: 0, stability: null });
    expect(h.worstHours).toEqual([10, 11, 12, 13, 14].map((hour) => ({ weekday: 0, hour, stability: 0.5 })));
  });

  it('a closed day has no open time; without hours every minute counts, closed or not', () => {
    const window = { from: DAY0, to: DAY0 + 2 * DAY };
    const closedMonday = build({ ...open10to22, closedDates: ['2026-11-02'] }, window, twoDays());
    expect(closedMonday.days.map((d) => [d.stability, d.openMs])).toEqual([[null, 0], [1, 12 * HOUR]]);
    const allDay = build({ closedDates: [] }, window, twoDays());
    expect(allDay.withHours).toBe(false);
    expect(allDay.timezone).toBe('UTC');
    // (6 h × 2 + 6 h × 4) of 24 h × 4 on Monday.
    expect(allDay.days.map((d) => d.stability)).toEqual([36 / 96, 1]);
    expect(allDay.week[3]!.stability).toBe(0);
    expect(allDay.worstHours[0]).toEqual({ weekday: 0, hour: 0, stability: 0 });
  });

  it('disconnects by close code per day, in open minutes only, the rare codes merged as other', () => {
    const codes = { 'closes.1006': 9, 'closes.4008': 8, 'closes.1001': 7, 'closes.1011': 6, 'closes.1000': 5, 'closes.4001': 1, 'closes.1013': 1 };
    const rows = [minute(DAY0 + 11 * HOUR, 4, 4, codes), minute(DAY0 + DAY + 12 * HOUR, 4, 4, { 'closes.1006': 2 }), minute(DAY0 + 3 * HOUR, 4, 0, { 'closes.1009': 100 })];
    const h = build(open10to22, { from: DAY0, to: DAY0 + 2 * DAY }, rows);
    expect(h.codes).toEqual(['1006', '4008', '1001', '1011', '1000', 'other']);
    expect(h.days[0]!.closes).toEqual({ '1006': 9, '4008': 8, '1001': 7, '1011': 6, '1000': 5, other: 2 });
    expect(h.days[1]!.closes).toEqual({ '1006': 2 });
  });

  it('local days across a DST change: Paris, Sunday 29 March 2026 is 23 hours long', () => {
    const now = Date.UTC(2026, 2, 29, 22); // Mon 30 Mar 00:00 CEST
    const window = historyWindow('Europe/Paris', 2, now);
    expect(window).toEqual({ from: Date.UTC(2026, 2, 27, 23), to: now });
    expect(localMidnight('Europe/Paris', Date.UTC(2026, 2, 29) / DAY)).toBe(Date.UTC(2026, 2, 28, 23));
    const rows: RestaurantMinute[] = [];
    for (let t = window.from; t < window.to; t += MIN) rows.push(minute(t, 2, t >= Date.UTC(2026, 2, 29, 7) && t < Date.UTC(2026, 2, 29, 8) ? 1 : 2));
    const h = build({ timezone: 'Europe/Paris', closedDates: [] }, window, rows);
    expect(h.timezone).toBe('Europe/Paris');
    expect(h.days.map((d) => [d.date, d.to - d.from])).toEqual([['2026-03-28', 24 * HOUR], ['2026-03-29', 23 * HOUR]]);
    // 1 of 2 terminals down for the local 09:00 hour of a 23-hour day.
    expect(h.days[1]!.stability).toBeCloseTo(45 / 46, 12);
    // 02:00–03:00 did not exist that Sunday; 09:00 local is the bad hour.
    expect(h.week[6 * 24 + 2]!.minutes).toBe(0);
    expect(h.week[6 * 24 + 3]!.minutes).toBe(60);
    expect(h.worstHours).toEqual([{ weekday: 6, hour: 9, stability: 0.5 }]);
  });
});
