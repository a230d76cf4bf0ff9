/**
 * The managers' stability review (docs/stability.md): for the restaurants of a scope, each one's
 * figures over a period and the period before, the change, a daily stability series, and the
 * scope's own figures — ranked worst first. Pure: the caller reads the minutes (both periods) and
 * passes the directory and the periods.
 */
import { entryOrDefault, type RestaurantDirectory } from '../directory/restaurant-directory.ts';
import { openCalendarOf } from '../directory/open-calendar.ts';
import type { RestaurantMinute } from '../rollup.ts';
import { StabilityAccumulator, type StabilityFigures } from './stability-accumulator.ts';
import { daysOf, type ComparedPeriods } from './stability-period.ts';

export interface StabilityChange {
  /** Current − previous, in share points (0.05 = 5 percentage points); null when either is null. */
  stability: number | null;
  reconnectsPerOpenHour: number | null;
  heartbeatSuccess: number | null;
}

export interface RestaurantStability {
  rid: string;
  name: string;
  tags: readonly string[];
  /** Whether the figures are counted within opening hours (false: all day). */
  withHours: boolean;
  current: StabilityFigures;
  previous: StabilityFigures;
  change: StabilityChange;
  /** Stability of each day of the current period (daysOf), null for a day with nothing expected. */
  daily: (number | null)[];
}

export interface StabilityReview {
  periods: ComparedPeriods;
  /** Worst first: lowest stability, then most reconnects per open hour; no figure last; then rid. */
  restaurants: RestaurantStability[];
  scope: { current: StabilityFigures; previous: StabilityFigures; change: StabilityChange };
  /** Stored histograms that did not decode and were left out. */
  invalidHistograms: number;
}

const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

export function changeOf(current: StabilityFigures, previous: StabilityFigures): StabilityChange {
  return {
    stability: delta(current.stability, previous.stability),
    reconnectsPerOpenHour: delta(current.reconnectsPerOpenHour, previous.reconnectsPerOpenHour),
    heartbeatSuccess: delta(current.heartbeatSuccess, previous.heartbeatSuccess),
  };
}

/** Worst first; restaurants with no figure (nothing expected) go last, so they never hide a real one. */
export function compareWorstFirst(a: RestaurantStability, b: RestaurantStability): number {
  const sa = a.current.stability;
  const sb = b.current.stability;
  if (sa !== sb) {
    if (sa === null) return 1;
    if (sb === null) return -1;
    return sa - sb;
  }
  const ra = a.current.reconnectsPerOpenHour ?? 0;
  const rb = b.current.reconnectsPerOpenHour ?? 0;
  if (ra !== rb) return rb - ra;
  return a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0;
}

/**
 * `rids`: the restaurants to review (the viewer's scope, cut further by tag by the caller);
 * `minutes`: their stored minutes covering both periods, in any order.
 */
export function stabilityReview(rids: readonly string[], minutes: readonly RestaurantMinute[], directory: RestaurantDirectory, periods: ComparedPeriods): StabilityReview {
  const byRid = new Map<string, RestaurantMinute[]>();
  for (const rid of rids) byRid.set(rid, []);
  for (const m of minutes) byRid.get(m.rid)?.push(m);
  const days = daysOf(periods.current);
  const scopeNow = new StabilityAccumulator();
  const scopeBefore = new StabilityAccumulator();
  let scopeOpenNow = 0;
  let scopeOpenBefore = 0;
  const restaurants: RestaurantStability[] = [];
  for (const [rid, rows] of byRid) {
    const entry = entryOrDefault(directory, rid);
    const calendar = openCalendarOf(entry);
    const now = new StabilityAccumulator();
    const before = new StabilityAccumulator();
    const daily = days.map(() => ({ healthy: 0, expected: 0 }));
    for (const m of rows) {
      if (!calendar.isOpen(m.minute)) continue;
      if (m.minute >= periods.current.from && m.minute < periods.current.to) {
        now.add(m);
        const d = daily[Math.floor((m.minute - periods.current.from) / 86_400_000)];
        if (d) {
          d.healthy += m.counters.healthyMs ?? 0;
          d.expected += m.counters.expectedMs ?? 0;
        }
      } else if (m.minute >= periods.previous.from && m.minute < periods.previous.to) before.add(m);
    }
    const openNow = calendar.openMs(periods.current.from, periods.current.to);
    const openBefore = calendar.openMs(periods.previous.from, periods.previous.to);
    scopeNow.merge(now);
    scopeBefore.merge(before);
    scopeOpenNow += openNow;
    scopeOpenBefore += openBefore;
    const current = now.figures(openNow);
    const previous = before.figures(openBefore);
    restaurants.push({
      rid,
      name: entry.name,
      tags: entry.tags,
      withHours: calendar.hasHours,
      current,
      previous,
      change: changeOf(current, previous),
      daily: daily.map((d) => (d.expected > 0 ? Math.min(1, d.healthy / d.expected) : null)),
    });
  }
  restaurants.sort(compareWorstFirst);
  const current = scopeNow.figures(scopeOpenNow);
  const previous = scopeBefore.figures(scopeOpenBefore);
  return { periods, restaurants, scope: { current, previous, change: changeOf(current, previous) }, invalidHistograms: scopeNow.invalidHistograms + scopeBefore.invalidHistograms };
}
