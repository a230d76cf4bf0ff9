/**
 * What the dashboard knows of the fleet, as the live stream told it. Pure data: `live-reducer.ts`
 * is the only code that changes it, `live-store.ts` the only place that holds it.
 */
import type { FleetTotalsWire, RestaurantFiguresWire, StreamPosition, ViewerScope } from '../../protocol/live.ts';
import { emptyFeed, type FeedState } from './event-feed.ts';
import { emptySeries, type FleetSeries } from './fleet-series.ts';
import { noInterest, type InterestState } from './live-interest.ts';

export interface LiveData {
  /** The last snapshot or delta applied; null before the first snapshot. */
  readonly position: StreamPosition | null;
  readonly scope: ViewerScope | null;
  readonly tickMs: number;
  /** How stale a restaurant's rolling figures (rates, percentiles) may be while they change. */
  readonly refreshMs: number;
  readonly restaurants: ReadonlyMap<string, RestaurantFiguresWire>;
  /**
   * What the last batch changed in `restaurants`: the map it started from and the rids patched,
   * added or removed since. A view derived from `from` can be brought up to date from these few
   * rids rather than recomputed over every restaurant. Null when unknown (a snapshot replaced all).
   */
  readonly restaurantsChanged: RestaurantsChange | null;
  readonly totals: FleetTotalsWire | null;
  /** Hub time of the state shown. */
  readonly hubTime: number | null;
  /** Our clock when a snapshot or delta was last applied: what "data N s old" counts from. */
  readonly appliedAt: number | null;
  readonly feed: FeedState;
  readonly series: FleetSeries;
  /** Events the hub left out of deltas to bound them (mass outage); the REST timeline has them. */
  readonly eventsOmitted: number;
  /** A gap was seen after this position: nothing is applied until a replay or a snapshot. */
  readonly resyncFrom: StreamPosition | null;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  /** What the views look at, and which restaurants' figures are all current (live-interest.ts). */
  readonly interest: InterestState;
}

export interface RestaurantsChange {
  readonly from: ReadonlyMap<string, RestaurantFiguresWire>;
  readonly rids: ReadonlySet<string>;
}

export function emptyLiveData(): LiveData {
  return {
    position: null,
    scope: null,
    tickMs: 1000,
    refreshMs: 0,
    restaurants: new Map(),
    restaurantsChanged: null,
    totals: null,
    hubTime: null,
    appliedAt: null,
    feed: emptyFeed(),
    series: emptySeries(),
    eventsOmitted: 0,
    resyncFrom: null,
    lastError: null,
    interest: noInterest,
  };
}
