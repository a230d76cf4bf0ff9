/**
 * The restaurant page's stability tab as shapes (docs/stability.md): daily bars, disconnects
 * stacked by close code per day, and the weekday × hour grid — geometry and tone only, pure, so it
 * is tested without a DOM and the components just draw it. Closed days and closed hours are their
 * own tone ("closed", shaded), never an outage.
 */
import { CloseCode } from '../../../../protocol/close-codes.ts';
import { restaurantStabilityPeriods, type HistoryDayWire, type HourCellWire, type RestaurantStabilityPeriod } from '../../../../protocol/restaurant-stability.ts';

export function isStabilityPeriod(v: string | null): v is RestaurantStabilityPeriod {
  return (restaurantStabilityPeriods as readonly string[]).includes(v ?? '');
}

export type Tone = 'ok' | 'warn' | 'bad' | 'closed' | 'none';

export const weekdayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Below 98 % a day warns, below 90 % it is bad: the weekly report's thresholds (week-report.ts). */
export function toneOf(stability: number | null, open: boolean): Tone {
  if (!open) return 'closed';
  if (stability === null) return 'none';
  return stability < 0.9 ? 'bad' : stability < 0.98 ? 'warn' : 'ok';
}

export interface DayBar {
  date: string;
  x: number;
  width: number;
  y: number;
  height: number;
  tone: Tone;
  stability: number | null;
}

/** One bar per day in a `width` × `height` box, 0 % at the bottom; a closed day is a full shaded column. */
export function dayBars(days: readonly HistoryDayWire[], width: number, height: number): DayBar[] {
  const step = days.length > 0 ? width / days.length : 0;
  const gap = step > 6 ? 2 : step > 3 ? 1 : 0;
  return days.map((d, i) => {
    const tone = toneOf(d.stability, d.openMs > 0);
    const h = tone === 'closed' ? height : d.stability === null ? 2 : Math.max(1, d.stability * height);
    return { date: d.date, x: i * step, width: Math.max(1, step - gap), y: height - h, height: h, tone, stability: d.stability };
  });
}

export interface CauseRect {
  date: string;
  code: string;
  count: number;
  x: number;
  width: number;
  y: number;
  height: number;
}

/** Disconnects per day stacked by code (in `codes` order, bottom up), scaled to the busiest day. */
export function causeStacks(days: readonly HistoryDayWire[], codes: readonly string[], width: number, height: number): { rects: CauseRect[]; max: number } {
  const totals = days.map((d) => codes.reduce((n, c) => n + (d.closes[c] ?? 0), 0));
  const max = Math.max(0, ...totals);
  const step = days.length > 0 ? width / days.length : 0;
  const gap = step > 6 ? 2 : step > 3 ? 1 : 0;
  const rects: CauseRect[] = [];
  days.forEach((d, i) => {
    let top = height;
    for (const code of codes) {
      const count = d.closes[code] ?? 0;
      if (count === 0 || max === 0) continue;
      const h = (count / max) * height;
      top -= h;
      rects.push({ date: d.date, code, count, x: i * step, width: Math.max(1, step - gap), y: top, height: h });
    }
  });
  return { rects, max };
}

const codeNames = new Map<string, string>(Object.entries(CloseCode).map(([name, code]) => [String(code), name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)]));

/** "1006 abnormal", "4008 heartbeat timeout"; an unknown code is its number; `other` the merged rest. */
export function codeLabel(code: string): string {
  if (code === 'other') return 'other codes';
  const name = codeNames.get(code);
  return name ? `${code} ${name}` : code;
}

export interface HeatCell {
  weekday: number;
  hour: number;
  tone: Tone;
  /** 0..1 strength of the colour: how much of the hour's expected time was lost. */
  intensity: number;
  stability: number | null;
  /** Open for part of the period's minutes only (a closed day, a range starting at :30). */
  partlyOpen: boolean;
}

/** The grid by weekday (Monday first), 24 cells each. */
export function heatRows(week: readonly HourCellWire[]): HeatCell[][] {
  const rows: HeatCell[][] = weekdayNames.map(() => []);
  for (const c of week) {
    const open = c.openMinutes > 0;
    const tone = toneOf(c.stability, open);
    const lost = c.stability === null ? 0 : 1 - c.stability;
    // 20 % lost is already the darkest: the interesting range is between 80 and 100 %.
    const intensity = tone === 'ok' ? 0.5 : tone === 'warn' || tone === 'bad' ? Math.min(1, 0.35 + lost / 0.2 * 0.65) : 0;
    rows[c.weekday]!.push({ weekday: c.weekday, hour: c.hour, tone, intensity, stability: c.stability, partlyOpen: open && c.openMinutes < c.minutes });
  }
  for (const r of rows) r.sort((a, b) => a.hour - b.hour);
  return rows;
}

export const hourLabel = (weekday: number, hour: number) => `${weekdayNames[weekday]} ${String(hour).padStart(2, '0')}:00–${String((hour + 1) % 24).padStart(2, '0')}:00`;
