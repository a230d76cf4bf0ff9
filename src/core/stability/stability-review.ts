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
  const review = new StabilityReviewBuilder(directory, periods, rids, () => false);
  review.add(minutes);
  return review.result();
}

type RestaurantState = { now: StabilityAccumulator; before: StabilityAccumulator; daily: { healthy: number; expected: number }[]; isOpen: (minute: number) => boolean };

/**
 * The review fed in steps (a long window is read page by page, src/server/stability): memory is
 * one accumulator pair per restaurant, whatever the number of minutes. `rids` are reviewed even
 * without a minute; a minute of another restaurant is reviewed when `accept(rid)` says so (the
 * fleet's restaurants with data but no directory entry).
 */
export class StabilityReviewBuilder {
  private readonly byRid = new Map<string, RestaurantState>();
  private readonly days: number;

  constructor(
    private readonly directory: RestaurantDirectory,
    private readonly periods: ComparedPeriods,
    rids: readonly string[],
    private readonly accept: (rid: string) => boolean,
  ) {
    this.days = daysOf(periods.current).length;
    for (const rid of rids) this.state(rid);
  }

  private state(rid: string): RestaurantState {
    let s = this.byRid.get(rid);
    if (!s) {
      const calendar = openCalendarOf(entryOrDefault(this.directory, rid));
      s = { now: new StabilityAccumulator(), before: new StabilityAccumulator(), daily: Array.from({ length: this.days }, () => ({ healthy: 0, expected: 0 })), isOpen: (m) => calendar.isOpen(m) };
      this.byRid.set(rid, s);
    }
    return s;
  }

  add(minutes: readonly RestaurantMinute[]): void {
    const { current, previous } = this.periods;
    for (const m of minutes) {
      const s = this.byRid.get(m.rid) ?? (this.accept(m.rid) ? this.state(m.rid) : undefined);
      if (!s || !s.isOpen(m.minute)) continue;
      if (m.minute >= current.from && m.minute < current.to) {
        s.now.add(m);
        const d = s.daily[Math.floor((m.minute - current.from) / 86_400_000)];
        if (d) {
          d.healthy += m.counters.healthyMs ?? 0;
          d.expected += m.counters.expectedMs ?? 0;
        }
      } else if (m.minute >= previous.from && m.minute < previous.to) s.before.add(m);
    }
  }

  result(): StabilityReview {
    const { periods } = this;
    const scopeNow = new StabilityAccumulator();
    const scopeBefore = new StabilityAccumulator();
    let scopeOpenNow = 0;
    let scopeOpenBefore = 0;
    const restaurants: RestaurantStability[] = [];
    for (const [rid, s] of this.byRid) {
      const entry = entryOrDefault(this.directory, rid);
      const calendar = openCalendarOf(entry);
      const openNow = calendar.openMs(periods.current.from, periods.current.to);
      const openBefore = calendar.openMs(periods.previous.from, periods.previous.to);
      scopeNow.merge(s.now);
      scopeBefore.merge(s.before);
      scopeOpenNow += openNow;
      scopeOpenBefore += openBefore;
      const current = s.now.figures(openNow);
      const previous = s.before.figures(openBefore);
      restaurants.push({
        rid,
        name: entry.name,
        tags: entry.tags,
        withHours: calendar.hasHours,
        current,
        previous,
        change: changeOf(current, previous),
        daily: s.daily.map((d) => (d.expected > 0 ? Math.min(1, d.healthy / d.expected) : null)),
      });
    }
    restaurants.sort(compareWorstFirst);
    const current = scopeNow.figures(scopeOpenNow);
    const previous = scopeBefore.figures(scopeOpenBefore);
    return { periods, restaurants, scope: { current, previous, change: changeOf(current, previous) }, invalidHistograms: scopeNow.invalidHistograms + scopeBefore.invalidHistograms };
  }
}
