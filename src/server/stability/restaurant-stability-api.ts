/**
 * `GET /api/restaurants/:rid/stability?period=7d|30d|90d` (docs/api.md, docs/stability.md): the
 * restaurant page's stability tab, from src/core/stability/restaurant-history.ts over the store's
 * minutes. The caller has checked the viewer may see `rid`; the store query is cut to that one
 * restaurant and the rows again, so nothing of another restaurant can be counted. A period over a
 * day counts against the API's heavy-query limit, as the review does.
 */
import { entryOrDefault, type RestaurantDirectory } from '../../core/directory/restaurant-directory.ts';
import { historyWindow, RestaurantHistoryBuilder } from '../../core/stability/restaurant-history.ts';
import { PulseError } from '../../protocol/errors.ts';
import { restaurantStabilityPeriods, type RestaurantStabilityAnswer, type RestaurantStabilityPeriod } from '../../protocol/restaurant-stability.ts';
import { heavyWindowMs, type HeavyLimit } from '../hub/api/series-limit.ts';
import type { StabilitySource } from './stability-source.ts';

const days: Record<RestaurantStabilityPeriod, number> = { '7d': 7, '30d': 30, '90d': 90 };

export interface RestaurantStabilityDeps {
  source: StabilitySource;
  directory(): RestaurantDirectory;
  heavy?: Pick<HeavyLimit, 'run'>;
}

export async function answerRestaurantStability(deps: RestaurantStabilityDeps, call: { rid: string; query: URLSearchParams; now: number }): Promise<RestaurantStabilityAnswer> {
  const raw = call.query.get('period') ?? '30d';
  if (!(restaurantStabilityPeriods as readonly string[]).includes(raw)) throw new PulseError('BAD_REQUEST', `period must be one of ${restaurantStabilityPeriods.join(', ')}`);
  const period = raw as RestaurantStabilityPeriod;
  const entry = entryOrDefault(deps.directory(), call.rid);
  const window = historyWindow(entry.hours?.timezone ?? entry.timezone ?? 'UTC', days[period], call.now);
  const builder = new RestaurantHistoryBuilder(entry, window);
  const read = () => deps.source.minutes([call.rid], window.from, window.to, (rows) => builder.add(rows.filter((m) => m.rid === call.rid)));
  await (deps.heavy ? deps.heavy.run(window.to - window.from > heavyWindowMs, read) : read());
  return { t: call.now, rid: call.rid, name: entry.name, tags: [...entry.tags], period, ...builder.result() };
}
