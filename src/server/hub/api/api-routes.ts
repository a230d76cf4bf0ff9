/**
 * The REST API under `/api` (fields and units: docs/api.md; the contract of every answer:
 * src/protocol/api.ts, which each handler's return type names). Read-only; every call verifies the
 * viewer token and cuts the answer to its scope — lists and totals included, so a manager's fleet
 * total covers their restaurants only and another restaurant never appears, not even as a count.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../core/clock.ts';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import { timelinePolicy, type TimelinePolicy } from '../../../core/timeline/timeline-policy.ts';
import type { EventsPageAnswer, FleetAnswer, FleetSeriesAnswer, MeAnswer, RestaurantAnswer, RestaurantSeriesAnswer, RestaurantsAnswer } from '../../../protocol/api.ts';
import { PulseError } from '../../../protocol/errors.ts';
import type { Store } from '../../store/store.ts';
import type { HubView } from '../hub-view.ts';
import { Router, type RouteParams } from '../http/router.ts';
import { asPulseError, sendError, sendJson } from '../http/respond.ts';
import { limitOf, windowOf, type Window } from './query-params.ts';
import { bucketize, chooseBucketMs, mergeBucketsOf, type Bucket } from './series-buckets.ts';
import { pointOf } from './series-points.ts';
import { authenticate, requireInScope, type Viewer } from './viewer-auth.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ApiLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ApiDeps {
  secret: string;
  view: HubView;
  store: Pick<Store, 'readMinutes' | 'readEvents'>;
  /** Settled minutes still on their way to the store. */
  unwritten: { of(rid: string | undefined, from: number, to: number): RestaurantMinute[] };
  clock: Clock;
  logger: ApiLogger;
  /** Told of every answered call (metrics); `route` is the pattern, never the raw path. */
  onAnswer?: (route: string, status: number) => void;
  /** The rules the fleet's terminals follow, stated with their events (default: DESIGN.md's). */
  policy?: TimelinePolicy;
}

type Call = { viewer: Viewer; params: RouteParams; query: URLSearchParams; now: number };
type Handler = (call: Call) => Promise<unknown> | unknown;

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function createApi(deps: ApiDeps): ApiHandler {
  const { view, store, clock } = deps;
  // The terminal view judges reconnect delays and heartbeats by the fleet's own rules.
  const policy = deps.policy ?? timelinePolicy();

  /** Rollups of [from, to) for these restaurants: the store's, those still queued, and the open minute. */
  async function minutesOf(rids: readonly string[] | undefined, w: Window, now: number): Promise<RestaurantMinute[]> {
    const from = Math.floor(w.from / MINUTE) * MINUTE;
    // Read what is queued in the same tick as the store, so no row is counted in both (unwritten-minutes.ts).
    const inScope = (rid: string) => rids === undefined || rids.includes(rid);
    const queued = deps.unwritten.of(undefined, from, w.to).filter((r) => inScope(r.rid));
    const stored = await store.readMinutes(rids ? { rids, from, to: w.to } : { from, to: w.to });
    // Open minutes are encoded on demand: ask for the restaurants wanted, not the whole fleet's.
    const openOf = rids ? rids.flatMap((rid) => view.openMinutes(rid, now)) : view.openMinutes(undefined, now);
    const open = openOf.filter((r) => inScope(r.rid) && r.minute >= from && r.minute < w.to);
    return [...stored, ...queued, ...open];
  }

  /** The scope's restaurants as a list for store queries; undefined = every restaurant. */
  const ridsOf = (viewer: Viewer): readonly string[] | undefined => viewer.scope.wire.restaurants ?? undefined;

  const router = new Router<Handler>()
    .get('/api/me', ({ viewer }): MeAnswer => ({
      sub: viewer.claims.sub,
      role: viewer.claims.role,
      restaurants: viewer.scope.wire.restaurants,
      expiresAt: viewer.claims.exp * 1000,
    }))
    .get('/api/fleet', ({ viewer, now }): FleetAnswer => ({ t: now, totals: view.totals(now, (rid) => viewer.scope.includes(rid)) }))
    .get('/api/restaurants', ({ viewer, now }): RestaurantsAnswer => ({
      t: now,
      restaurants: view
        .restaurants(now)
        .filter((r) => viewer.scope.includes(r.rid))
        .sort((a, b) => (a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0)),
    }))
    .get('/api/restaurants/:rid', ({ viewer, params, now }): RestaurantAnswer => {
      const rid = params.rid!;
      requireInScope(viewer, rid);
      const restaurant = view.restaurant(rid, now);
      if (!restaurant) throw new PulseError('NOT_FOUND', 'no such restaurant');
      return { t: now, restaurant, terminals: view.terminals(rid, now) };
    })
    .get('/api/restaurants/:rid/series', async ({ viewer, params, query, now }): Promise<RestaurantSeriesAnswer> => {
      const rid = params.rid!;
      requireInScope(viewer, rid);
      const w = windowOf(query, now, HOUR);
      const bucketMs = chooseBucketMs(w.from, w.to);
      const buckets = await bucketize(await minutesOf([rid], w, now), w.from, w.to, bucketMs, rid);
      const total = mergeBucketsOf(buckets, w.from, rid);
      reportInvalid([...buckets, total], rid);
      return { rid, from: w.from, to: w.to, bucketMs, points: buckets.map(pointOf), total: pointOf(total) };
    })
    .get('/api/fleet/series', async ({ viewer, query, now }): Promise<FleetSeriesAnswer> => {
      const w = windowOf(query, now, HOUR);
      const bucketMs = chooseBucketMs(w.from, w.to);
      // Second line of defence: the store query was already cut to the scope.
      const rows = (await minutesOf(ridsOf(viewer), w, now)).filter((r) => viewer.scope.includes(r.rid));
      const buckets = await bucketize(rows, w.from, w.to, bucketMs, 'fleet', true);
      const total = mergeBucketsOf(buckets, w.from, 'fleet');
      reportInvalid(buckets, 'fleet');
      return { from: w.from, to: w.to, bucketMs, restaurants: new Set(rows.map((r) => r.rid)).size, points: buckets.map(pointOf), total: pointOf(total) };
    })
    .get('/api/terminals/:tid/events', async ({ viewer, params, query, now }): Promise<EventsPageAnswer> => {
      const tid = params.tid!;
      const rid = view.terminalRestaurant(tid);
      // Unknown and someone else's look alike to a manager (as on the stream).
      requireInScope(viewer, rid);
      if (rid === undefined) throw new PulseError('NOT_FOUND', 'no such terminal');
      const w = windowOf(query, now, 24 * HOUR);
      const limit = limitOf(query, 500, 5000);
      const rids = ridsOf(viewer);
      const found = await store.readEvents({ tid, from: w.from, to: w.to, limit: limit + 1, ...(rids ? { rids } : {}) });
      return { tid, rid, from: w.from, to: w.to, events: found.slice(0, limit), more: found.length > limit, policy };
    });

  function reportInvalid(buckets: readonly Bucket[], what: string): void {
    const invalid = buckets.reduce((n, b) => n + b.invalidHistograms, 0);
    if (invalid > 0) deps.logger.error({ what, invalid }, 'api: stored histograms that do not decode were left out of a series');
  }

  return async (req, res, url) => {
    const match = router.match(req.method ?? 'GET', url.pathname);
    let route = match.ok ? match.route : '(none)';
    try {
      if (!match.ok) {
        if (match.reason === 'method') {
          res.setHeader('allow', 'GET, HEAD');
          throw new PulseError('BAD_REQUEST', 'only GET is served under /api');
        }
        route = '(not found)';
        throw new PulseError('NOT_FOUND');
      }
      // Authentication after routing: an unknown path is a 404 to everyone, and says nothing.
      const viewer = authenticate(req.headers, deps.secret);
      const body = await match.handler({ viewer, params: match.params, query: url.searchParams, now: clock.now() });
      sendJson(res, 200, body);
      deps.onAnswer?.(route, 200);
    } catch (error) {
      const e = asPulseError(error);
      if (e.code === 'INTERNAL') deps.logger.error({ err: String(error), route }, 'api: call failed');
      sendError(res, e);
      deps.onAnswer?.(route, e.httpStatus);
    }
  };
}
