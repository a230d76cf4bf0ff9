/**
 * Table tests with known answers: stability within opening hours and all day, a week with a DST
 * change, a restaurant open past midnight, closed days, the previous period, ranking and merged
 * percentiles.
 */
import { describe, expect, it } from 'vitest';
import { createDirectory, type RestaurantEntry } from '../directory/restaurant-directory.ts';
import { openCalendarOf } from '../directory/open-calendar.ts';
import { Histogram } from '../histogram.ts';
import type { RestaurantMinute } from '../rollup.ts';
import { comparedPeriods } from './stability-period.ts';
import { stabilityReview } from './stability-review.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAY0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026, 00:00 UTC

const entry = (rid: string, parts: Partial<RestaurantEntry> = {}): RestaurantEntry => ({ rid, name: rid, closedDates: [], tags: [], ...parts });
const everyDay = (range: [string, string]) => ({ sun: [range], mon: [range], tue: [range], wed: [range], thu: [range], fri: [range], sat: [range] });

/** A minute of a restaurant expecting `expected` terminals of which `healthy` were healthy all minute. */
function minute(rid: string, t: number, expected: number, healthy: number, extra: Record<string, number> = {}): RestaurantMinute {
  return { rid, minute: t, counters: { expectedMs: expected * MIN, healthyMs: healthy * MIN, connectedMs: healthy * MIN, ...extra }, gauges: {}, histograms: {} };
}

/** One day, 4 terminals: open 10:00–22:00 UTC; 2 down 10:00–16:00, all up 16:00–22:00, all down while closed. */
function halfDownDay(rid: string, day = DAY0): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  for (let t = day; t < day + DAY; t += MIN) {
    const h = (t - day) / HOUR;
    rows.push(minute(rid, t, 4, h >= 10 && h < 16 ? 2 : h >= 16 && h < 22 ? 4 : 0));
  }
  return rows;
}

describe('stability over a period', () => {
  const periods = comparedPeriods({ from: DAY0, to: DAY0 + DAY }, DAY0 + DAY);

  it('2 of 4 terminals down for half the opening hours, all down while closed: 75 % with hours, 37.5 % all day', () => {
    const hours = { timezone: 'UTC', days: everyDay(['10:00', '22:00']) };
    const dir = createDirectory([entry('with', { hours, timezone: 'UTC' })]);
    const rows = [...halfDownDay('with'), ...halfDownDay('all-day')];
    const review = stabilityReview(['with', 'all-day'], rows, dir, periods);
    const byRid = Object.fromEntries(review.restaurants.map((r) => [r.rid, r]));
    expect(byRid.with!.current.stability).toBe(0.75);
    expect(byRid.with!.withHours).toBe(true);
    expect(byRid.with!.current.openMs).toBe(12 * HOUR);
    // (6 h × 2 + 6 h × 4) terminal-hours healthy of 24 h × 4 expected.
    expect(byRid['all-day']!.current.stability).toBe(36 / 96);
    expect(byRid['all-day']!.withHours).toBe(false);
    // Worst first.
    expect(review.restaurants.map((r) => r.rid)).toEqual(['all-day', 'with']);
    // The scope: both restaurants' counted terminal-time added, not their shares averaged.
    expect(review.scope.current.stability).toBe((36 + 36) / (48 + 96));
  });

  it('reconnects per open hour, heartbeat success, disconnects by code and merged percentiles', () => {
    const hours = { timezone: 'UTC', days: everyDay(['10:00', '22:00']) };
    const dir = createDirectory([entry('r', { hours })]);
    const rtt = new Histogram(64);
    for (let i = 1; i <= 100; i++) rtt.record(i);
    const rows = [
      { ...minute('r', DAY0 + 11 * HOUR, 4, 4, { reconnects: 6, 'closes.1006': 5, 'closes.4008': 1, hbOnTime: 15, hbExpected: 16 }), histograms: { rtt: rtt.encode() } },
      { ...minute('r', DAY0 + 12 * HOUR, 4, 4, { reconnects: 6, 'closes.1006': 1, hbOnTime: 16, hbExpected: 16 }), histograms: { rtt: rtt.encode() } },
      // While closed: not counted.
      minute('r', DAY0 + 3 * HOUR, 4, 0, { reconnects: 100, 'closes.1001': 50 }),
    ];
    const f = stabilityReview(['r'], rows, dir, periods).restaurants[0]!.current;
    expect(f.reconnects).toBe(12);
    expect(f.reconnectsPerOpenHour).toBe(1);
    expect(f.heartbeatSuccess).toBe(31 / 32);
    expect(f.disconnects).toEqual({ '1006': 6, '4008': 1 });
    expect(f.rttMs!.p50).toBeCloseTo(50, 0);
    expect(Math.abs(f.rttMs!.p99 - 99) / 99).toBeLessThan(0.01);
    expect(f.minutes).toBe(2);
  });

  it('compares with the period before and gives a daily series', () => {
    const week = comparedPeriods({ from: DAY0 + 7 * DAY, to: DAY0 + 14 * DAY }, 0);
    expect(week.previous).toEqual({ from: DAY0, to: DAY0 + 7 * DAY });
    const rows: RestaurantMinute[] = [];
    for (let d = 0; d < 14; d++) for (let h = 0; h < 24; h++) rows.push(minute('r', DAY0 + d * DAY + h * HOUR, 4, d < 7 ? 4 : d === 10 ? 2 : 4));
    const r = stabilityReview(['r'], rows, createDirectory([]), week).restaurants[0]!;
    expect(r.previous.stability).toBe(1);
    expect(r.current.stability).toBeCloseTo(13 / 14, 12);
    expect(r.change.stability).toBeCloseTo(13 / 14 - 1, 12);
    expect(r.daily).toEqual([1, 1, 1, 0.5, 1, 1, 1]);
  });

  it('a restaurant in scope with no minutes ranks last with no figure', () => {
    const r = stabilityReview(['quiet', 'r'], [minute('r', DAY0, 4, 3)], createDirectory([]), periods);
    expect(r.restaurants.map((x) => [x.rid, x.current.stability])).toEqual([['r', 0.75], ['quiet', null]]);
  });
});

describe('opening hours in the restaurant time zone', () => {
  it('a week with a DST change (Paris, 29 March 2026) counts 7 × 8 open hours in a 167-hour week', () => {
    const cal = openCalendarOf({ hours: { timezone: 'Europe/Paris', days: everyDay(['09:00', '17:00']) }, closedDates: [] });
    const mondayLocal = Date.UTC(2026, 2, 22, 23); // Mon 23 Mar 00:00 CET
    const nextMondayLocal = Date.UTC(2026, 2, 29, 22); // Mon 30 Mar 00:00 CEST
    expect(nextMondayLocal - mondayLocal).toBe(167 * HOUR);
    expect(cal.openMs(mondayLocal, nextMondayLocal)).toBe(56 * HOUR);
    // Saturday (CET, +1): 16:30 local open, 17:30 closed; Sunday (CEST, +2): the same wall times.
    expect(cal.isOpen(Date.UTC(2026, 2, 28, 15, 30))).toBe(true);
    expect(cal.isOpen(Date.UTC(2026, 2, 28, 16, 30))).toBe(false);
    expect(cal.isOpen(Date.UTC(2026, 2, 29, 7, 30))).toBe(true);
    expect(cal.isOpen(Date.UTC(2026, 2, 29, 6, 30))).toBe(false);
    expect(cal.isOpen(Date.UTC(2026, 2, 29, 14, 59))).toBe(true);
    expect(cal.isOpen(Date.UTC(2026, 2, 29, 15, 0))).toBe(false);
  });

  it('stability over that week is counted in the local opening hours on both sides of the change', () => {
    const hours = { timezone: 'Europe/Paris', days: everyDay(['09:00', '17:00']) };
    const from = Date.UTC(2026, 2, 22, 23);
    const to = Date.UTC(2026, 2, 29, 22);
    const rows: RestaurantMinute[] = [];
    const cal = openCalendarOf({ hours, closedDates: [] });
    // Healthy while open, except the first open hour of the DST Sunday (09:00–10:00 CEST = 07:00–08:00 UTC).
    for (let t = from; t < to; t += MIN) {
      const sundayFirstHour = t >= Date.UTC(2026, 2, 29, 7) && t < Date.UTC(2026, 2, 29, 8);
      rows.push(minute('p', t, 2, cal.isOpen(t) && !sundayFirstHour ? 2 : 0));
    }
    const r = stabilityReview(['p'], rows, createDirectory([entry('p', { hours })]), comparedPeriods({ from, to }, to)).restaurants[0]!;
    expect(r.current.stability).toBeCloseTo(55 / 56, 12);
    expect(r.current.openMs).toBe(56 * HOUR);
  });

  it('opening past midnight (New York, Fri 18:00–02:00) and closed days', () => {
    const hours = { timezone: 'America/New_York', days: { fri: [['18:00', '02:00'] as const] } };
    const cal = openCalendarOf({ hours, closedDates: [] });
    // Fri 6 Nov 2026 is EST (-5): 18:00 local = 23:00 UTC.
    expect(cal.isOpen(Date.UTC(2026, 10, 6, 22, 59))).toBe(false);
    expect(cal.isOpen(Date.UTC(2026, 10, 6, 23, 0))).toBe(true);
    expect(cal.isOpen(Date.UTC(2026, 10, 7, 6, 30))).toBe(true); // Sat 01:30 local
    expect(cal.isOpen(Date.UTC(2026, 10, 7, 7, 0))).toBe(false); // Sat 02:00 local
    expect(cal.openMs(Date.UTC(2026, 10, 2), Date.UTC(2026, 10, 9))).toBe(8 * HOUR);
    // A closed Friday cancels the whole night, the part after midnight too; a closed Saturday does not.
    const fridayOff = openCalendarOf({ hours, closedDates: ['2026-11-06'] });
    expect(fridayOff.isOpen(Date.UTC(2026, 10, 7, 0))).toBe(false);
    expect(fridayOff.isOpen(Date.UTC(2026, 10, 7, 6, 30))).toBe(false);
    expect(fridayOff.isOpen(Date.UTC(2026, 10, 13, 23, 30))).toBe(true);
    const saturdayOff = openCalendarOf({ hours, closedDates: ['2026-11-07'] });
    expect(saturdayOff.isOpen(Date.UTC(2026, 10, 7, 6, 30))).toBe(true);
  });

  it('without hours every minute is open', () => {
    const cal = openCalendarOf(undefined);
    expect(cal.hasHours).toBe(false);
    expect(cal.openMs(DAY0, DAY0 + DAY)).toBe(DAY);
  });
});
