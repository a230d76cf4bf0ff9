/**
 * The periods a stability review compares: the last 24 h, 7 d, 30 d or 90 d up to now, or a custom
 * window, each against the period of the same length just before it. Windows are half-open and
 * end on a whole minute, so the minute still being written never counts half.
 */
const MINUTE = 60_000;
export const DAY_MS = 86_400_000;

export const periodNames = ['24h', '7d', '30d', '90d'] as const;
export type PeriodName = (typeof periodNames)[number];

const spans: Record<PeriodName, number> = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '90d': 90 * DAY_MS };

export interface Period {
  from: number;
  to: number;
}

export interface ComparedPeriods {
  current: Period;
  previous: Period;
}

/** `name` up to `now` (floored to the minute), or a custom `{ from, to }`, with the period before it. */
export function comparedPeriods(which: PeriodName | Period, now: number): ComparedPeriods {
  const current = typeof which === 'string' ? { to: Math.floor(now / MINUTE) * MINUTE, from: Math.floor(now / MINUTE) * MINUTE - spans[which] } : which;
  const span = current.to - current.from;
  return { current, previous: { from: current.from - span, to: current.from } };
}

/** The days of a period for its sparkline: consecutive 24 h slices from its start (the last may be shorter). */
export function daysOf(p: Period): Period[] {
  const out: Period[] = [];
  for (let from = p.from; from < p.to; from += DAY_MS) out.push({ from, to: Math.min(p.to, from + DAY_MS) });
  return out;
}
