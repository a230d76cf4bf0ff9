/**
 * The REST API on a real socket, over a hand-made view and a real SQLite store: scope on every
 * call (a manager never sees another restaurant, not in lists nor in totals), 401 for bad tokens,
 * 400 for bad windows, series within 500 points and reaching into minutes not yet written.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.ts';
import { createHistogram } from '../../../core/histogram.ts';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import { timelinePolicy, type TimelinePolicy } from '../../../core/timeline/timeline-policy.ts';
import type { TerminalWire } from '../../../protocol/api.ts';
import type { RestaurantFiguresWire } from '../../../protocol/live.ts';
import { signViewerToken } from '../../auth/tokens.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { closeEvent, lateBeatEvent, minuteRow, openEvent } from '../../store/test-helpers/fixtures.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import type { HubView } from '../hub-view.ts';
import { figures, sumTotals } from '../live/test-helpers/fake-live-source.ts';
import { createApi } from './api-routes.ts';

const secret = 'api-test-secret-0123456789abcdef';
const MIN = 60_000;
const NOW = 1_700_003_640_000; // a whole minute
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const token = {
  support: signViewerToken(secret, { sub: 'sam', role: 'support' }),
  manager: signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] }),
  expired: signViewerToken(secret, { sub: 'old', role: 'support' }, -10),
  forged: signViewerToken('another-secret-0123456789abcdef', { sub: 'eve', role: 'support' }),
};

function fakeView(open: RestaurantMinute[] = []): HubView {
  const rs: RestaurantFiguresWire[] = [figures('r-001', { connections: 3 }), figures('r-002', { connections: 5, status: 'unhealthy' })];
  const terminal = (tid: string, rid: string): TerminalWire => ({
    tid, rid, state: 'connected', health: 'healthy', connectedSince: NOW - 5000, disconnectedAt: null, lastHeartbeatAt: NOW - 1000, rttMs: 12, lastClose: null,
  });
  return {
    restaurants: () => rs,
    totals: (_now, inScope) => sumTotals(rs.filter((r) => inScope(r.rid))),
    restaurant: (rid) => rs.find((r) => r.rid === rid),
    terminals: (rid) => (rid === 'r-001' ? [terminal('r-001-t1', rid)] : [terminal('r-002-t1', rid)]),
    terminalRestaurants: (tid) => (tid.startsWith('r-001') ? ['r-001'] : tid.startsWith('r-002') ? ['r-002'] : []),
    openMinutes: () => open,
  };
}

async function serve(opts: { view?: HubView; unwritten?: RestaurantMinute[]; store?: Store; policy?: TimelinePolicy } = {}) {
  const tmp = makeTempDir();
  cleanups.push(tmp.remove);
  const { store } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const answers: [string, number][] = [];
  const api = createApi({
    secret,
    view: opts.view ?? fakeView(),
    store: opts.store ?? store,
    unwritten: { of: (rid, from, to) => (opts.unwritten ?? []).filter((r) => (!rid || r.rid === rid) && r.minute >= from && r.minute < to) },
    clock: new FakeClock(NOW),
    logger: { warn() {}, error() {} },
    onAnswer: (route, status) => answers.push([route, status]),
    ...(opts.policy ? { policy: opts.policy } : {}),
  });
  const server: Server = createServer((req, res) => void api(req, res, new URL(req.url ?? '/', 'http://hub')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // JSON answers are read loosely here; their shapes are what the assertions check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Body = Record<string, any>;
  const get = async (path: string, bearer?: string) => {
    const res = await fetch(base + path, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
    return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
  };
  return { store, get, answers };
}

describe('REST API', () => {
  it('refuses a missing, forged or expired token with 401 and its stable code', async () => {
    const { get } = await serve();
    for (const [bearer, code] of [[undefined, 'TOKEN_MISSING'], [token.forged, 'TOKEN_INVALID'], [token.expired, 'TOKEN_EXPIRED'], ['not-a-jwt', 'TOKEN_INVALID']] as const) {
      const r = await get('/api/fleet', bearer);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { code, message: 'Invalid token' } });
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('cuts every answer to a manager\'s scope: 403 on another restaurant, absent from lists and totals', async () => {
    const { get } = await serve();
    const me = await get('/api/me', token.manager);
    expect(me.body).toMatchObject({ role: 'manager', restaurants: ['r-001'] });

    const list = await get('/api/restaurants', token.manager);
    expect(list.body.restaurants.map((r: RestaurantFiguresWire) => r.rid)).toEqual(['r-001']);
    const fleet = await get('/api/fleet', token.manager);
    expect(fleet.body.totals).toMatchObject({ restaurants: 1, connections: 3, byStatus: { healthy: 1, unhealthy: 0 } });
    expect(JSON.stringify([list.body, fleet.body])).not.toContain('r-002');

    for (const path of ['/api/restaurants/r-002', '/api/restaurants/r-002/series', '/api/terminals/r-002-t1/events', '/api/restaurants/r-999', '/api/terminals/x-1/events']) {
      const r = await get(path, token.manager);
      expect([path, r.status, r.body.error.code]).toEqual([path, 403, 'NOT_IN_SCOPE']);
    }
    const own = await get('/api/restaurants/r-001', token.manager);
    expect(own.status).toBe(200);
    expect(own.body.terminals.map((t: TerminalWire) => t.tid)).toEqual(['r-001-t1']);

    // Support sees everything; unknown ids are 404 for them.
    expect((await get('/api/fleet', token.support)).body.totals).toMatchObject({ restaurants: 2, connections: 8 });
    expect((await get('/api/restaurants/r-002', token.support)).status).toBe(200);
    expect((await get('/api/restaurants/r-999', token.support)).body.error.code).toBe('NOT_FOUND');
  });

  it('answers a bad window with 400 BAD_REQUEST and an unknown path with 404', async () => {
    const { get, answers } = await serve();
    for (const q of ['from=abc', `from=${NOW}&to=${NOW - 1}`, `from=${NOW}&to=${NOW}`, 'from=-5', `from=0&to=${NOW}`, 'from=1.5']) {
      const r = await get(`/api/restaurants/r-001/series?${q}`, token.support);
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'BAD_REQUEST']);
    }
    expect((await get('/api/terminals/r-001-t1/events?limit=0', token.support)).status).toBe(400);
    expect((await get('/api/nothing-here', token.support)).status).toBe(404);
    expect(answers).toContainEqual(['/api/restaurants/:rid/series', 400]);
  });

  it('serves a series within 500 points, from the store, the write queue and the open minute', async () => {
    const h = createHistogram();
    for (const v of [10, 20, 30]) h.record(v);
    const stored = minuteRow('r-001', NOW - 3 * MIN, { counters: { opens: 2, hbOnTime: 8, connectedMs: 120_000 }, gauges: { connections: { last: 2, min: 0, max: 2 } }, histograms: { rtt: h.encode() } });
    const queued = minuteRow('r-001', NOW - 2 * MIN, { counters: { opens: 1 }, gauges: { connections: { last: 3, min: 2, max: 3 } } });
    const open = minuteRow('r-001', NOW, { counters: { reconnects: 4 }, gauges: { connections: { last: 1, min: 1, max: 3 } } });
    const other = minuteRow('r-002', NOW - 3 * MIN, { counters: { opens: 50 } });
    const { store, get } = await serve({ view: fakeView([open]), unwritten: [queued] });
    await store.writeMinutes([stored, other]);

    const r = await get(`/api/restaurants/r-001/series?from=${NOW - 10 * MIN}&to=${NOW + MIN}`, token.manager);
    expect(r.status).toBe(200);
    expect(r.body.bucketMs).toBe(MIN);
    expect(r.body.points.map((p: { t: number; opens: number; reconnects: number }) => [p.t - NOW, p.opens, p.reconnects])).toEqual([
      [-3 * MIN, 2, 0],
      [-2 * MIN, 1, 0],
      [0, 0, 4],
    ]);
    expect(r.body.points[0]).toMatchObject({ connections: { last: 2, min: 0, max: 2 }, heartbeatSuccess: 1, rttMs: { p50: expect.closeTo(20, 0), p99: expect.closeTo(30, 0) } });
    expect(r.body.total).toMatchObject({ opens: 3, reconnects: 4, connections: { last: 1, min: 0, max: 3 } });

    // 30 days: the bucket grows so the series stays within 500 points.
    const month = await get(`/api/restaurants/r-001/series?from=${NOW - 30 * 1440 * MIN}&to=${NOW}`, token.support);
    expect(month.body.bucketMs).toBe(120 * MIN);
    expect(month.body.points.length).toBeLessThanOrEqual(500);
    expect(Math.ceil(NOW / month.body.bucketMs) - Math.floor((NOW - 30 * 1440 * MIN) / month.body.bucketMs)).toBeLessThanOrEqual(500);

    // The fleet series of a manager holds their restaurant only.
    const fleet = await get(`/api/fleet/series?from=${NOW - 10 * MIN}&to=${NOW + MIN}`, token.manager);
    expect(fleet.body.points.map((p: { opens: number }) => p.opens)).toEqual([2, 1, 0]);
    const all = await get(`/api/fleet/series?from=${NOW - 10 * MIN}&to=${NOW + MIN}`, token.support);
    expect(all.body.points[0].opens).toBe(52);
  });

  it('lists a terminal\'s lifecycle events in order, with a limit and a "more" flag', async () => {
    const { store, get } = await serve();
    await store.writeEvents([openEvent(NOW - 5000, 'r-001-t1'), closeEvent(NOW - 4000, 'r-001-t1'), openEvent(NOW - 3000, 'r-001-t1'), openEvent(NOW - 3000, 'r-002-t1')]);
    const r = await get(`/api/terminals/r-001-t1/events?from=${NOW - 60_000}&to=${NOW}&limit=2`, token.manager);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tid: 'r-001-t1', rid: 'r-001', more: true });
    expect(r.body.events.map((e: { type: string; t: number }) => [e.type, e.t - NOW])).toEqual([['open', -5000], ['close', -4000]]);
    // Without a configured fleet, DESIGN.md's rules.
    expect(r.body.policy).toEqual({ heartbeatIntervalMs: 15_000, graceMs: 5_000, stableAfterMs: 15_000, backoffBaseMs: 2_000, backoffCapMs: 64_000 });
  });

  it("states the fleet's own policy with the events, and serves late heartbeats among them", async () => {
    const policy = timelinePolicy({ heartbeatIntervalMs: 1000, heartbeatGraceMs: 500, backoff: { baseMs: 300, capMs: 2000 } });
    const { store, get } = await serve({ policy });
    await store.writeEvents([openEvent(NOW - 5000, 'r-001-t1'), lateBeatEvent(NOW - 3000, 'r-001-t1', 1800)]);
    const r = await get(`/api/terminals/r-001-t1/events?from=${NOW - 60_000}&to=${NOW}`, token.support);
    expect(r.body.policy).toEqual({ heartbeatIntervalMs: 1000, graceMs: 500, stableAfterMs: 15_000, backoffBaseMs: 300, backoffCapMs: 2000 });
    expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(['open', 'heartbeat_late']);
    expect(r.body.events[1]).toMatchObject({ gapMs: 1800, rtt: 40 });
  });
});
