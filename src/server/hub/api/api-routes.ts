/**
 * The REST API under `/api` (fields and units: docs/api.md; the contract of every answer:
 * src/protocol/api.ts, which each handler's return type names). Read-only but for silences
 * (src/server/alerts/alerts-api.ts) and directory edits (src/server/directory/directory-edit.ts); every call verifies the viewer token and cuts the answer to its scope — lists and totals included, so a manager's fleet
 * total covers their restaurants only and another restaurant never appears, not even as a count.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../core/clock.ts';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import { timelinePolicy, type TimelinePolicy } from '../../../core/timeline/timeline-policy.ts';
import type { EventsPageAnswer, FleetAnswer, RefusedTokensWire, FleetSeriesAnswer, MeAnswer, RestaurantAnswer, RestaurantSeriesAnswer, RestaurantsAnswer } from '../../../protocol/api.ts';
import { PulseError, TerminalAmbiguousError } from '../../../protocol/errors.ts';
import type { AlertsAnswer } from '../../../protocol/alerts.ts';
import { createSilence, episodeDeliveries, liftSilence, listSilences, type AlertsApiSource } from '../../alerts/alerts-api.ts';
import { readJsonBody } from '../../alerts/read-json-body.ts';
import { emptyDirectory, type RestaurantDirectory } from '../../../core/directory/restaurant-directory.ts';
import type { StabilityAnswer } from '../../../protocol/stability.ts';
import { answerStability } from '../../stability/stability-api.ts';
import { answerRestaurantStability } from '../../stability/restaurant-stability-api.ts';
import { answerDirectory } from '../../directory/directory-api.ts';
import type { DirectoryEditor } from '../../directory/directory-edit.ts';
import { answerWeekReport, ReportFile } from '../../stability/report-download.ts';
import type { DirectoryAnswer, DirectoryEditAnswer } from '../../../protocol/directory.ts';
import type { RestaurantStabilityAnswer } from '../../../protocol/restaurant-stability.ts';
import { answerReplayFleet } from '../../replay/replay-fleet.ts';
import type { ReplayChangesAnswer, ReplayFleetAnswer, ReplayMarkersAnswer } from '../../../protocol/replay.ts';
import { answerReplayChanges } from '../../replay/replay-changes.ts';
import { answerReplayMarkers } from '../../replay/replay-markers.ts';
import { stabilitySourceOfStore } from '../../stability/stability-source.ts';
import type { Store } from '../../store/store.ts';
import type { HubView } from '../hub-view.ts';
import { Router, type RouteParams } from '../http/router.ts';
import { asPulseError, sendError, sendJson } from '../http/respond.ts';
import { limitOf, windowOf } from './query-params.ts';
import type { Bucket } from './series-buckets.ts';
import { createHeavyLimit, heavyWindowMs, QueryBusyError } from './series-limit.ts';
import { pointOf } from './series-points.ts';
import { readSeries, type SeriesSource } from './series-query.ts';
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
  store: Pick<Store, 'readMinutes' | 'readMinutesPage' | 'readEvents' | 'readClaimedAuthFailures'>;
  /** Settled minutes still on their way to the store. */
  unwritten: { of(rid: string | undefined, from: number, to: number): RestaurantMinute[] };
  clock: Clock;
  logger: ApiLogger;
  /** Told of every answered call (metrics); `route` is the pattern, never the raw path. */
  onAnswer?: (route: string, status: number) => void;
  /** The rules the fleet's terminals follow, stated with their events (default: DESIGN.md's). */
  policy?: TimelinePolicy;
  /** Refused tokens fleet-wide (FleetState's unscoped counters), in `/api/fleet` for fleet-wide viewers. */
  refusedTokens?: (now: number) => RefusedTokensWire;
  /** Alerts (src/server/alerts); without them `/api/alerts` answers an empty list. */
  alerts?: { answer(now: number, viewer: { restaurants: readonly string[] | null }, historyLimit?: number): AlertsAnswer } & AlertsApiSource;
  /** The restaurant directory in force (src/server/directory); without it every restaurant is unnamed and open all day. */
  directory?: () => RestaurantDirectory;
  /** Writes engineers' directory edits back to the restaurants file (src/server/directory/directory-edit.ts); none = read-only. */
  directoryEditor?: DirectoryEditor;
  /** Series of windows over a day that may run at once; beyond, 503 QUERY_BUSY (default 2, series-limit.ts). */
  maxHeavySeries?: number;
}

type Call = { viewer: Viewer; params: RouteParams; query: URLSearchParams; now: number; body: () => Promise<unknown> };
type Handler = (call: Call) => Promise<unknown> | unknown;

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function createApi(deps: ApiDeps): ApiHandler {
  const { view, store, clock } = deps;
  // The terminal view judges reconnect delays and heartbeats by the fleet's own rules.
  const policy = deps.policy ?? timelinePolicy();

  const heavy = createHeavyLimit(deps.maxHeavySeries);
  const directory = deps.directory ?? (() => emptyDirectory);
  // The stability review, the restaurant tab and the weekly report read alike (src/server/stability).
  const stability = { source: stabilitySourceOfStore(store), directory, heavy };

  /**
   * Rollups for these restaurants: the store's, and beside them those still queued and the open
   * minute — taken in the same tick as the store read that follows, so no row is counted in both
   * (unwritten-minutes.ts, series-query.ts).
   */
  function seriesSource(rids: readonly string[] | undefined, now: number): SeriesSource {
    const inScope = (rid: string) => rids === undefined || rids.includes(rid);
    return {
      readMinutes: (q) => store.readMinutes(q),
      readMinutesPage: (q) => store.readMinutesPage(q),
      extras(from, to) {
        const queued = deps.unwritten.of(undefined, from, to).filter((r) => inScope(r.rid));
        // Open minutes are encoded on demand: ask for the restaurants wanted, not the whole fleet's.
        const openOf = rids ? rids.flatMap((rid) => view.openMinutes(rid, now)) : view.openMinutes(undefined, now);
        const open = openOf.filter((r) => inScope(r.rid) && r.minute >= from && r.minute < to);
        return [...queued, ...open];
      },
    };
  }

  const callerOf = (viewer: Viewer) => ({ sub: viewer.claims.sub, role: viewer.claims.role, restaurants: viewer.scope.wire.restaurants ?? null });

  /** The scope's restaurants as a list for store queries; undefined = every restaurant. */
  const ridsOf = (viewer: Viewer): readonly string[] | undefined => viewer.scope.wire.restaurants ?? undefined;

  const router = new Router<Handler>()
    .get('/api/me', ({ viewer }): MeAnswer => ({
      sub: viewer.claims.sub,
      role: viewer.claims.role,
      restaurants: viewer.scope.wire.restaurants,
      expiresAt: viewer.claims.exp * 1000,
    }))
    .get('/api/fleet', ({ viewer, now }): FleetAnswer => {
      const totals = view.totals(now, (rid) => viewer.scope.includes(rid));
      // A refused token is no restaurant's: only a viewer of the whole fleet sees them counted.
      return { t: now, totals: viewer.scope.all && deps.refusedTokens ? { ...totals, refusedTokens: deps.refusedTokens(now) } : totals };
    })
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
      const read = () => readSeries(seriesSource([rid], now), { rids: [rid], ...w, label: rid, fleet: false, inScope: (r) => r === rid });
      const { bucketMs, buckets, total } = await heavy.run(w.to - w.from > heavyWindowMs, read);
      reportInvalid([...buckets, total], rid);
      return { rid, from: w.from, to: w.to, bucketMs, points: buckets.map(pointOf), total: pointOf(total) };
    })
    .get('/api/fleet/series', async ({ viewer, query, now }): Promise<FleetSeriesAnswer> => {
      const w = windowOf(query, now, HOUR);
      const rids = ridsOf(viewer);
      // inScope is the second line of defence: the store query was already cut to the scope.
      const read = () => readSeries(seriesSource(rids, now), { rids, ...w, label: 'fleet', fleet: true, inScope: (r) => viewer.scope.includes(r) });
      const { bucketMs, buckets, total, rids: seen } = await heavy.run(w.to - w.from > heavyWindowMs, read);
      reportInvalid(buckets, 'fleet');
      return { from: w.from, to: w.to, bucketMs, restaurants: seen.size, points: buckets.map(pointOf), total: pointOf(total) };
    })
    .get('/api/stability', async ({ viewer, query, now }): Promise<StabilityAnswer> => {
      const { answer, invalidHistograms } = await answerStability(stability, { restaurants: viewer.scope.wire.restaurants ?? null, query, now });
      if (invalidHistograms > 0) deps.logger.error({ what: 'stability', invalid: invalidHistograms }, 'api: stored histograms that do not decode were left out of the stability review');
      return answer;
    })
    // The weekly report as a file, the same as `pulse report week` (src/server/stability/report-download.ts).
    .get('/api/stability/report', async ({ viewer, query, now }): Promise<ReportFile> => {
      const { file, invalidHistograms } = await answerWeekReport(stability, { restaurants: viewer.scope.wire.restaurants ?? null, query, now });
      if (invalidHistograms > 0) deps.logger.error({ what: 'stability report', invalid: invalidHistograms }, 'api: stored histograms that do not decode were left out of the stability report');
      return file;
    })
    .get('/api/restaurants/:rid/stability', ({ viewer, params, query, now }): Promise<RestaurantStabilityAnswer> => {
      // The restaurant page's stability tab (src/server/stability/restaurant-stability-api.ts).
      requireInScope(viewer, params.rid!);
      return answerRestaurantStability(stability, { rid: params.rid!, query, now });
    })
    // Names and tags of the scope's restaurants, for search (src/server/directory/directory-api.ts).
    .get('/api/directory', ({ viewer, now }): DirectoryAnswer => answerDirectory(directory(), viewer.scope.wire.restaurants ?? null, now))
    .add('PUT', '/api/directory/:rid', async ({ viewer, params, now, body }): Promise<DirectoryEditAnswer> => {
      if (viewer.claims.role !== 'engineer') throw new PulseError('FORBIDDEN', 'only engineers edit the restaurant directory');
      if (!deps.directoryEditor) throw new PulseError('DIRECTORY_READ_ONLY');
      return { t: now, entry: await deps.directoryEditor.edit(params.rid!, await body()) };
    })
    .get('/api/alerts', ({ viewer, query, now }): AlertsAnswer => {
      // Cut to the scope by the alerts themselves: a manager gets their restaurants' alerts only.
      const limit = limitOf(query, 200, 1000);
      return deps.alerts?.answer(now, { restaurants: viewer.scope.wire.restaurants ?? null }, limit) ?? { t: now, firing: 0, active: [], history: [], rules: [] };
    })
    // Silences and delivery logs (src/server/alerts/alerts-api.ts): engineers silence, the scope cuts the lists.
    .get('/api/silences', ({ viewer, now }) => listSilences(deps.alerts, callerOf(viewer), now))
    .add('POST', '/api/silences', async ({ viewer, now, body }) => createSilence(deps.alerts, callerOf(viewer), await body(), now))
    .add('DELETE', '/api/silences/:id', ({ viewer, params, now }) => liftSilence(deps.alerts, callerOf(viewer), params.id!, now))
    .get('/api/alerts/:id/deliveries', ({ viewer, params, now }) => episodeDeliveries(deps.alerts, callerOf(viewer), params.id!, now))
    .get('/api/replay/fleet', ({ viewer, query, now }): Promise<ReplayFleetAnswer> =>
      // The fleet as it stood at `t`, from the store (src/server/replay/); cut to the scope in the query and on the answer.
      answerReplayFleet({ store }, { t: query.get('t'), now, restaurants: viewer.scope.wire.restaurants ?? null, inScope: (rid) => viewer.scope.includes(rid) }),
    )
    .get('/api/replay/changes', ({ viewer, query, now }): Promise<ReplayChangesAnswer> =>
      // Playback frames: the fleet stepped forward from `from` (src/server/replay/replay-changes.ts); scoped as the rebuild.
      answerReplayChanges({ store }, { query, now, restaurants: viewer.scope.wire.restaurants ?? null, inScope: (rid) => viewer.scope.includes(rid) }),
    )
    .get('/api/replay/markers', ({ viewer, query, now }): Promise<ReplayMarkersAnswer> =>
      // Incident markers of a window (src/server/replay/replay-markers.ts); fleet markers over the viewer's scope.
      answerReplayMarkers({ store }, { query, now, restaurants: viewer.scope.wire.restaurants ?? null, inScope: (rid) => viewer.scope.includes(rid) }),
    )
    // A terminal is (rid, tid): tills are named per restaurant (issue 18, item 3).
    .get('/api/restaurants/:rid/terminals/:tid/events', (call) => {
      const rid = call.params.rid!;
      const tid = call.params.tid!;
      requireInScope(call.viewer, rid);
      if (!view.terminalRestaurants(tid).includes(rid)) throw new PulseError('NOT_FOUND', 'no such terminal');
      return terminalEvents(call, rid, tid);
    })
    // The old bare-id URL, kept while the id is one restaurant's (of those the viewer may see).
    .get('/api/terminals/:tid/events', (call) => {
      const tid = call.params.tid!;
      const rids = view.terminalRestaurants(tid).filter((r) => call.viewer.scope.includes(r));
      // Unknown and someone else's look alike to a manager (as on the stream).
      if (rids.length === 0) {
        requireInScope(call.viewer, undefined);
        throw new PulseError('NOT_FOUND', 'no such terminal');
      }
      if (rids.length > 1) throw new TerminalAmbiguousError(tid, rids);
      return terminalEvents(call, rids[0]!, tid);
    });

  /** One page of terminal (rid, tid)'s events; the caller checked that the viewer may see `rid`. */
  async function terminalEvents({ viewer, query, now }: Call, rid: string, tid: string): Promise<EventsPageAnswer> {
    const w = windowOf(query, now, 24 * HOUR);
    const limit = limitOf(query, 500, 5000);
    const found = await store.readEvents({ rid, tid, from: w.from, to: w.to, limit: limit + 1 });
    if (!viewer.scope.all) return { tid, rid, from: w.from, to: w.to, events: found.slice(0, limit), more: found.length > limit, policy };
    // Engineers and support also see the refused tokens that claimed this terminal (stored under
    // no restaurant): how support finds a till with a wrong secret. A manager never does — anyone
    // can claim their restaurant in an unsigned token (issue 18, item 9).
    const claimed = await store.readClaimedAuthFailures({ claimedTid: tid, claimedRid: rid, from: w.from, to: w.to, limit: limit + 1 });
    const events = mergeByTime(found, claimed);
    return { tid, rid, from: w.from, to: w.to, events: events.slice(0, limit), more: events.length > limit, policy, unverifiedClaims: true };
  }

  /** Two reads each in time order, as one; at equal times the terminal's own event first. */
  function mergeByTime<T extends { t: number }>(a: readonly T[], b: readonly T[]): T[] {
    if (b.length === 0) return [...a];
    const out: T[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]!.t <= b[j]!.t) ? a[i++]! : b[j++]!);
    return out;
  }

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
          throw new PulseError('BAD_REQUEST', `${req.method ?? 'this method'} is not served at this path`);
        }
        route = '(not found)';
        throw new PulseError('NOT_FOUND');
      }
      // Authentication after routing: an unknown path is a 404 to everyone, and says nothing.
      const viewer = authenticate(req.headers, deps.secret);
      const body = await match.handler({ viewer, params: match.params, query: url.searchParams, now: clock.now(), body: () => readJsonBody(req) });
      if (body instanceof ReportFile) body.send(res);
      else sendJson(res, 200, body);
      deps.onAnswer?.(route, 200);
    } catch (error) {
      const e = asPulseError(error);
      if (e instanceof QueryBusyError) res.setHeader('retry-after', String(e.retryAfterS));
      if (e.code === 'INTERNAL') deps.logger.error({ err: String(error), route }, 'api: call failed');
      sendError(res, e);
      deps.onAnswer?.(route, e.httpStatus);
    }
  };
}
