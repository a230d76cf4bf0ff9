/**
 * Is a restaurant open during a given minute? Answered for every stored minute of a 90-day ranking
 * (hundreds of restaurants × 130k minutes), so it is arithmetic over two weekly bitmaps, with Intl
 * asked only for a zone's UTC offset once per UTC hour (cached per zone): every zone in use
 * changes its offset on a whole UTC hour, so the offset is constant within one. No date library:
 * the answer depends only on the entry and the instant, never on the machine's zone.
 */
import { minutesOf, weekdays } from '../alerts/opening-hours.ts';
import type { RestaurantEntry } from './restaurant-directory.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK_MINUTES = 7 * 1440;

const offsetCaches = new Map<string, { fmt: Intl.DateTimeFormat; byHour: Map<number, number> }>();

/** The zone's offset from UTC at instant `t`, ms (Paris in summer: +7,200,000). */
export function utcOffsetOf(timezone: string, t: number): number {
  let cache = offsetCaches.get(timezone);
  if (!cache) {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    cache = { fmt, byHour: new Map() };
    offsetCaches.set(timezone, cache);
  }
  const hour = Math.floor(t / HOUR) * HOUR;
  const known = cache.byHour.get(hour);
  if (known !== undefined) return known;
  const parts: Record<string, number> = {};
  for (const p of cache.fmt.formatToParts(new Date(hour))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
  const offset = wall - hour;
  cache.byHour.set(hour, offset);
  return offset;
}

/** The local day number (days since 1970-01-01 in the zone) and minute of the day of `t`. */
export function localMinuteOf(timezone: string | undefined, t: number): { dayNumber: number; minute: number; weekday: number } {
  const local = t + (timezone ? utcOffsetOf(timezone, t) : 0);
  const dayNumber = Math.floor(local / DAY);
  // 1970-01-01 was a Thursday (weekday 4, Sunday = 0).
  return { dayNumber, minute: Math.floor((local - dayNumber * DAY) / MINUTE), weekday: (((dayNumber + 4) % 7) + 7) % 7 };
}

export interface OpenCalendar {
  /** True when the entry has opening hours; without them every minute is open. */
  readonly hasHours: boolean;
  /** Whether the restaurant is open at instant `t` (its minute). */
  isOpen(t: number): boolean;
  /** Open time within [from, to), ms, counted by whole minutes. */
  openMs(from: number, to: number): number;
}

const allDay: OpenCalendar = { hasHours: false, isOpen: () => true, openMs: (from, to) => Math.max(0, Math.ceil(to / MINUTE) - Math.ceil(from / MINUTE)) * MINUTE };

/** `YYYY-MM-DD` → days since 1970-01-01, or null. */
export function dayNumberOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === date ? t / DAY : null;
}

export function openCalendarOf(entry: Pick<RestaurantEntry, 'hours' | 'closedDates' | 'timezone'> | undefined): OpenCalendar {
  const hours = entry?.hours;
  if (!hours) return allDay;
  const timezone = hours.timezone;
  // own: open by a range that started this local day; spill: by yesterday's range run past midnight.
  // They are kept apart because a closed date cancels the ranges that start on it, not those ending on it.
  const own = new Uint8Array(WEEK_MINUTES);
  const spill = new Uint8Array(WEEK_MINUTES);
  weekdays.forEach((name, day) => {
    for (const [a, b] of hours.days[name] ?? []) {
      const open = minutesOf(a) ?? 0;
      const close = minutesOf(b) ?? 0;
      if (close > open) own.fill(1, day * 1440 + open, day * 1440 + close);
      else {
        own.fill(1, day * 1440 + open, day * 1440 + 1440);
        const next = ((day + 1) % 7) * 1440;
        spill.fill(1, next, next + close);
      }
    }
  });
  const closed = new Set<number>();
  for (const d of entry.closedDates) {
    const n = dayNumberOf(d);
    if (n !== null) closed.add(n);
  }
  const isOpen = (t: number): boolean => {
    const { dayNumber, minute, weekday } = localMinuteOf(timezone, t);
    const i = weekday * 1440 + minute;
    return (own[i] === 1 && !closed.has(dayNumber)) || (spill[i] === 1 && !closed.has(dayNumber - 1));
  };
  return {
    hasHours: true,
    isOpen,
    openMs(from, to) {
      let ms = 0;
      for (let t = Math.ceil(from / MINUTE) * MINUTE; t < to; t += MINUTE) if (isOpen(t)) ms += MINUTE;
      return ms;
    },
  };
}
