/**
 * The REST contract against a running hub: a real hub (bus, SQLite store, port) fed by a real bus
 * probe answers every `/api` route, and each answer — refusals included — must decode with its
 * schema of src/protocol/api.ts, the schemas the SPA decodes with. A field the hub renames or
 * retypes fails here before it blanks a page.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { systemClock } from '../../../core/clock.ts';
import { ev } from '../../../core/test-helpers/telemetry-events.ts';
import {
  apiErrorBodySchema,
  eventsPageAnswerSchema,
  fleetAnswerSchema,
  fleetSeriesAnswerSchema,
  meAnswerSchema,
  restaurantAnswerSchema,
  restaurantSeriesAnswerSchema,
  restaurantsAnswerSchema,
} from '../../../protocol/api.ts';
import { signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createBusProbe } from '../../gateway/bus-probe.ts';
import { createLogger } from '../../log/logger.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { sleep } from '../../test-helpers/wait-for.ts';
import { startHub, type Hub } from '../hub.ts';

const secret = 'api-contract-secret-0123456789abcdef';
const support = signViewerToken(secret, { sub: 'sam', role: 'support' });
const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function runningHub(): Promise<Hub> {
  const tmp = makeTempDir('pulse-api-contract-');
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  const bus = createMemoryBus();
  const hub = await startHub({
    secret,
    port: 0,
    bus,
    store,
    recovered,
    logger: createLogger({ level: 'error', destination: quiet }),
    staticDir: `${tmp.dir}/no-dist`,
    tickMs: 100,
    tickPhaseMs: null,
    flushIntervalMs: 50,
  });
  cleanups.push(() => hub.close());
  const probe = createBusProbe({ bus, gatewayId: 'gw-contract', clock: systemClock() });
  cleanups.push(() => probe.stop());

  // A little of everything the answers carry: connections, heartbeats with RTT, a close with a
  // reason, a late heartbeat and a limit hit.
  const t = Date.now();
  probe.emit(ev.open(t - 3000, 'r-001', 'r-001-t1', 'c1'));
  probe.emit(ev.beat(t - 2000, 'r-001', 'r-001-t1', 'c1', true, 12));
  probe.emit(ev.beat(t - 1000, 'r-001', 'r-001-t1', 'c1', false, 30));
  probe.emit(ev.limit(t - 900, 'r-001', 'r-001-t1', 'c1', 'rate'));
  probe.emit(ev.open(t - 3000, 'r-002', 'r-002-t1', 'c2'));
  probe.emit(ev.close(t - 500, 'r-002', 'r-002-t1', 'c2', 1006, 2500));
  probe.flush();
  return hub;
}

async function answer<T>(hub: Hub, path: string, schema: z.ZodType<T>, token = support, status = 200): Promise<T> {
  const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(status);
  const parsed = schema.safeParse(await res.json());
  // The first issue names the field, so a failure here reads like the SPA's error line.
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

describe('the /api contract (src/protocol/api.ts) against a running hub', () => {
  it('every answer decodes with its protocol schema', async () => {
    const hub = await runningHub();
    const from = Date.now() - 3_600_000;
    // The store holds the events once the hub's write batch has flushed.
    let page = await answer(hub, '/api/terminals/r-001-t1/events', eventsPageAnswerSchema).catch(() => null);
    const deadline = Date.now() + 5000;
    while ((page?.events.length ?? 0) < 3 && Date.now() < deadline) {
      await sleep(50);
      page = await answer(hub, '/api/terminals/r-001-t1/events', eventsPageAnswerSchema);
    }
    expect(page?.events.map((e) => e.type)).toEqual(['open', 'heartbeat_late', 'limit']);
    expect(page?.policy.heartbeatIntervalMs).toBe(15_000);

    expect(await answer(hub, '/api/me', meAnswerSchema, manager)).toMatchObject({ sub: 'meg', role: 'manager', restaurants: ['r-001'] });
    expect((await answer(hub, '/api/fleet', fleetAnswerSchema)).totals.restaurants).toBe(2);
    expect((await answer(hub, '/api/restaurants', restaurantsAnswerSchema)).restaurants.map((r) => r.rid)).toEqual(['r-001', 'r-002']);
    const one = await answer(hub, '/api/restaurants/r-001', restaurantAnswerSchema);
    expect(one.terminals).toEqual([expect.objectContaining({ tid: 'r-001-t1', state: 'connected', rttMs: 30 })]);
    const closed = await answer(hub, '/api/restaurants/r-002', restaurantAnswerSchema);
    expect(closed.terminals[0]).toMatchObject({ state: 'disconnected', lastClose: { code: 1006, cause: 'abnormal_close' } });
    const series = await answer(hub, `/api/restaurants/r-001/series?from=${from}`, restaurantSeriesAnswerSchema);
    expect(series.points.length).toBeGreaterThan(0);
    const fleet = await answer(hub, `/api/fleet/series?from=${from}`, fleetSeriesAnswerSchema);
    expect(fleet.restaurants).toBe(2);
  });

  it('every refusal decodes as the error body, with its stable code', async () => {
    const hub = await runningHub();
    const refused = async (path: string, token: string, status: number) => (await answer(hub, path, apiErrorBodySchema, token, status)).error.code;
    expect(await refused('/api/fleet', 'not-a-token', 401)).toBe('TOKEN_INVALID');
    expect(await refused('/api/restaurants/r-002', manager, 403)).toBe('NOT_IN_SCOPE');
    expect(await refused('/api/restaurants/r-404', support, 404)).toBe('NOT_FOUND');
    expect(await refused('/api/fleet/series?from=9&to=1', support, 400)).toBe('BAD_REQUEST');
    expect(await refused('/api/nothing-here', support, 404)).toBe('NOT_FOUND');
  });
});
