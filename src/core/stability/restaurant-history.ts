/**
 * One restaurant's stability over its last 7, 30 or 90 local days (the restaurant page's stability
 * tab, docs/stability.md): stability per local calendar day, disconnects by close code per day, and
 * the week as a weekday × hour grid (in the restaurant's zone) with the worst hours named. Counted
 * as the review counts (stability-review.ts): only the minutes the restaurant is open when it has
 * opening hours, every minute otherwise; closed days and closed hours are reported as such, so the
 * page shades them instead of drawing them as outages.
 */
import type { RestaurantEntry } from '../directory/restaurant-directory.ts';
import { localMinuteOf, openCalendarOf, utcOffsetOf } from '../directory/open-calendar.ts';
import type { RestaurantMinute } from '../rollup.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Codes beyond the commonest few are summed as `other`: the stacked chart stays readable and the answer bounded. */
export const maxCloseCodes = 6;
export const worstHoursShown = 5;

export interface HistoryDay {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** The local day's bounds in UTC ms (23 or 25 h on a DST change; the last day ends now). */
  from: number;
  to: number;
  stability: number | null;
  healthyMs: number;
  expectedMs: number;
  /** Open time of the day by the calendar; 0 = closed all day. */
  openMs: number;
  /** Disconnects in the counted minutes by close code (the commonest codes, the rest as `other`). */
  closes: Record<string, number>;
}

export interface HourCell {
  /** 0 = Monday … 6 = Sunday, local. */
  weekday: number;
  hour: number;
  stability: number | null;
  healthyMs: number;
  expectedMs: number;
  /** Minutes of the window in this weekday-hour, and how many of them were open. */
  minutes: number;
  openMinutes: number;
}

export interface RestaurantHistory {
  from: number;
  to: number;
  timezone: string;
  withHours: boolean;
  /** The whole window, counted the same way: Σ healthy ÷ Σ expected of the counted minutes. */
  stability: number | null;
  days: HistoryDay[];
  /** 7 × 24 cells, Monday 00:00 first. */
  week: HourCell[];
  /** The open hours with the lowest stability, worst first (only hours that had expected time and lost some). */
  worstHours: { weekday: number; hour: number; stability: number }[];
  /** Close codes present, commonest first (`other` last when codes were merged). */
  codes: string[];
}

const share = (num: number, den: number) => (den > 0 ? Math.min(1, num / den) : null);

/** UTC instant of local midnight starting day `dayNumber` (days since 1970-01-01 in the zone). */
export function localMidnight(timezone: string, dayNumber: number): number {
  const wall = dayNumber * DAY;
  // Two steps: the offset at the guess can differ from the one at midnight across a DST change.
  const guess = wall - utcOffsetOf(timezone, wall);
  return wall - utcOffsetOf(timezone, guess);
}

/** The last `days` local days up to `now` (floored to the minute): from local midnight `days − 1` days ago. */
export function historyWindow(timezone: string, days: number, now: number): { from: number; to: number } {
  const to = Math.floor(now / MINUTE) * MINUTE;
  const today = localMinuteOf(timezone, to - 1).dayNumber;
  return { from: localMidnight(timezone, today - days + 1), to };
}

const dateOf = (dayNumber: number) => new Date(dayNumber * DAY).toISOString().slice(0, 10);
const mondayFirst = (weekday: number) => (weekday + 6) % 7;

export class RestaurantHistoryBuilder {
  private readonly timezone: string;
  private readonly firstDay: number;
  private readonly days: HistoryDay[] = [];
  private readonly week: HourCell[];
  private readonly hasHours: boolean;
  /** Per minute of the window: −1 while closed, else day index × 256 + weekday-hour cell; so a stored minute costs a lookup. */
  private readonly slots: Int32Array;
  private readonly start: number;

  constructor(entry: Pick<RestaurantEntry, 'timezone' | 'hours' | 'closedDates'>, private readonly window: { from: number; to: number }) {
    this.timezone = entry.hours?.timezone ?? entry.timezone ?? 'UTC';
    const calendar = openCalendarOf(entry);
    this.hasHours = calendar.hasHours;
    this.week = Array.from({ length: 7 * 24 }, (_, i) => ({ weekday: Math.floor(i / 24), hour: i % 24, stability: null, healthyMs: 0, expectedMs: 0, minutes: 0, openMinutes: 0 }));
    this.firstDay = localMinuteOf(this.timezone, window.from).dayNumber;
    this.start = Math.ceil(window.from / MINUTE) * MINUTE;
    this.slots = new Int32Array(Math.max(0, Math.ceil((window.to - this.start) / MINUTE))).fill(-1);
    // The calendar walked once, minute by minute (129,600 steps for 90 days, arithmetic only).
    for (let t = this.start, i = 0; t < window.to; t += MINUTE, i++) {
      const local = localMinuteOf(this.timezone, t);
      const day = this.dayAt(local.dayNumber);
      const c = mondayFirst(local.weekday) * 24 + Math.floor(local.minute / 60);
      const cell = this.week[c]!;
      cell.minutes++;
      if (calendar.isOpen(t)) {
        cell.openMinutes++;
        day.openMs += MINUTE;
        this.slots[i] = (local.dayNumber - this.firstDay) * 256 + c;
      }
    }
  }

  private dayAt(dayNumber: number): HistoryDay {
    const i = dayNumber - this.firstDay;
    while (this.days.length <= i) {
      const n = this.firstDay + this.days.length;
      this.days.push({ date: dateOf(n), from: Math.max(this.window.from, localMidnight(this.timezone, n)), to: Math.min(this.window.to, localMidnight(this.timezone, n + 1)), stability: null, healthyMs: 0, expectedMs: 0, openMs: 0, closes: {} });
    }
    return this.days[i]!;
  }

  add(minutes: readonly RestaurantMinute[]): void {
    for (const m of minutes) {
      if (m.minute < this.window.from || m.minute >= this.window.to) continue;
      const slot = this.slots[Math.floor((m.minute - this.start) / MINUTE)] ?? -1;
      if (slot < 0) continue;
      const day = this.days[slot >> 8]!;
      const cell = this.week[slot & 255]!;
      const healthy = m.counters.healthyMs ?? 0;
      const expected = m.counters.expectedMs ?? 0;
      day.healthyMs += healthy;
      day.expectedMs += expected;
      cell.healthyMs += healthy;
      cell.expectedMs += expected;
      // Straight into the day (family() builds a record per row: most of this loop's time at 90 days).
      for (const key in m.counters) {
        if (!key.startsWith('closes.')) continue;
        const n = m.counters[key]!;
        if (n > 0) day.closes[key.slice(7)] = (day.closes[key.slice(7)] ?? 0) + n;
      }
    }
  }

  result(): RestaurantHistory {
    const totals = new Map<string, number>();
    for (const d of this.days) for (const [code, n] of Object.entries(d.closes)) totals.set(code, (totals.get(code) ?? 0) + n);
    const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([code]) => code);
    const kept = new Set(ranked.length > maxCloseCodes ? ranked.slice(0, maxCloseCodes - 1) : ranked);
    const codes = ranked.length > maxCloseCodes ? [...kept, 'other'] : ranked;
    const days = this.days.map((d) => {
      const closes: Record<string, number> = {};
      for (const [code, n] of Object.entries(d.closes)) {
        const key = kept.has(code) ? code : 'other';
        closes[key] = (closes[key] ?? 0) + n;
      }
      return { ...d, stability: share(d.healthyMs, d.expectedMs), closes };
    });
    const week = this.week.map((c) => ({ ...c, stability: share(c.healthyMs, c.expectedMs) }));
    const worstHours = week
      .filter((c): c is HourCell & { stability: number } => c.stability !== null && c.stability < 1)
      .sort((a, b) => a.stability - b.stability || b.expectedMs - b.healthyMs - (a.expectedMs - a.healthyMs) || a.weekday * 24 + a.hour - (b.weekday * 24 + b.hour))
      .slice(0, worstHoursShown)
      .map(({ weekday, hour, stability }) => ({ weekday, hour, stability }));
    const healthy = days.reduce((n, d) => n + d.healthyMs, 0);
    const expected = days.reduce((n, d) => n + d.expectedMs, 0);
    return { from: this.window.from, to: this.window.to, timezone: this.timezone, withHours: this.hasHours, stability: share(healthy, expected), days, week, worstHours, codes };
  }
}
