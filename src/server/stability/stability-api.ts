/**
 * `GET /api/stability?period=7d[&tag=…]` or `?from=…&to=…[&tag=…]` (docs/api.md, docs/stability.md):
 * the review of src/core/stability over the caller's scope. The scope is applied to the store
 * query itself and again to the rows, so a manager's ranking, tags and totals are made of their
 * restaurants only.
 */
import type { RestaurantDirectory } from '../../core/directory/restaurant-directory.ts';
import { comparedPeriods, periodNames, type PeriodName } from '../../core/stability/stability-period.ts';
import { StabilityReviewBuilder } from '../../core/stability/stability-review.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { StabilityAnswer } from '../../protocol/stability.ts';
import { maxWindowMs, windowOf } from '../hub/api/query-params.ts';
import { heavyWindowMs, type HeavyLimit } from '../hub/api/series-limit.ts';
import type { StabilitySource } from './stability-source.ts';

export interface StabilityCall {
  /** The manager's restaurants; null = every restaurant. */
  restaurants: readonly string[] | null;
  query: URLSearchParams;
  now: number;
}

export interface StabilityDeps {
  source: StabilitySource;
  directory(): RestaurantDirectory;
  /** The API's heavy-query limit (series-limit.ts): beyond it, 503 QUERY_BUSY. None = unlimited. */
  heavy?: Pick<HeavyLimit, 'run'>;
}

function periodOf(query: URLSearchParams, now: number): { name: PeriodName | 'custom'; periods: ReturnType<typeof comparedPeriods> } {
  const name = query.get('period');
  if (query.has('from') || query.has('to')) {
    if (name !== null) throw new PulseError('BAD_REQUEST', 'give either period or from/to, not both');
    if (!query.has('from') || !query.has('to')) throw new PulseError('BAD_REQUEST', 'a custom period needs both from and to');
    const w = windowOf(query, now, 0);
    // Two windows are read: the period and the one before it.
    if (2 * (w.to - w.from) > maxWindowMs) throw new PulseError('BAD_REQUEST', `a custom period may span at most ${maxWindowMs / 2 / 86_400_000} days`);
    return { name: 'custom', periods: comparedPeriods(w, now) };
  }
  const p = (name ?? '7d') as PeriodName;
  if (!periodNames.includes(p)) throw new PulseError('BAD_REQUEST', `period must be one of ${periodNames.join(', ')}`);
  return { name: p, periods: comparedPeriods(p, now) };
}

export async function answerStability(deps: StabilityDeps, call: StabilityCall): Promise<{ answer: StabilityAnswer; invalidHistograms: number }> {
  const { name, periods } = periodOf(call.query, call.now);
  const tag = call.query.get('tag');
  if (tag !== null && (tag.length === 0 || tag.length > 100)) throw new PulseError('BAD_REQUEST', 'tag must be 1–100 characters');
  const directory = deps.directory();
  const inScope = (rid: string) => call.restaurants === null || call.restaurants.includes(rid);
  const hasTag = (rid: string) => tag === null || (directory.entry(rid)?.tags.includes(tag) ?? false);
  // The restaurants reviewed: a manager's list, or every one with an entry — and, for the whole
  // fleet, every one with data, met as the pages come (they have no entry, so no tag).
  const known = call.restaurants ?? directory.entries().map((e) => e.rid);
  const tags = new Set<string>();
  for (const rid of known) for (const t of directory.entry(rid)?.tags ?? []) tags.add(t);
  const builder = new StabilityReviewBuilder(directory, periods, known.filter(hasTag), (rid) => call.restaurants === null && hasTag(rid));
  // inScope is the second line of defence: the store query is already cut to the scope.
  const read = () => deps.source.minutes(call.restaurants ?? undefined, periods.previous.from, periods.current.to, (rows) => builder.add(rows.filter((m) => inScope(m.rid))));
  // Both windows over a day count against the hub's heavy-query limit, shared with long series.
  await (deps.heavy ? deps.heavy.run(periods.current.to - periods.previous.from > heavyWindowMs, read) : read());
  const review = builder.result();
  return {
    answer: {
      t: call.now,
      period: name,
      current: periods.current,
      previous: periods.previous,
      tag,
      tags: [...tags].sort(),
      restaurants: review.restaurants.map((r) => ({ ...r, tags: [...r.tags] })),
      scope: review.scope,
    },
    invalidHistograms: review.invalidHistograms,
  };
}
