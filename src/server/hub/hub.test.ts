/**
 * The hub's own wiring on a real port: frames from the bus reach the stream and the API, scope cuts
 * the stream too, expected terminals come from the store, a crashed previous run is reported,
 * /metrics and /healthz tell the hub's state, and close() writes the open minute.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { ev } from '../../core/test-helpers/telemetry-events.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { createLogger } from '../log/logger.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store, StoreRecovery } from '../store/store.ts';
import { openEvent } from '../store/test-helpers/fixtures.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { createBusProbe, type BusProbe } from '../gateway/bus-probe.ts';
import { startHub, type Hub } from './hub.ts';
import { connectViewer, type TestViewer } from './live/test-helpers/live-harness.ts';
import { liveSubprotocol } from '../../protocol/live.ts';

const secret = 'hub-test-secret-0123456789abcdef';
const support = signViewerToken(secret, { sub: 'sam', role: 'support' });
const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Setup = { hub: Hub; store: Store; probe: BusProbe; logs: string[]; dir: string };

async function setup(opts: { recovered?: StoreRecovery; seed?: (store: Store) => Promise<void> } = {}): Promise<Setup> {
  const tmp = makeTempDir('pulse-hub-');
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  await opts.seed?.(store);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const bus = createMemoryBus();
  const hub = await startHub({
    secret,
    port: 0,
    bus,
    store,
    recovered: opts.recovered ?? recovered,
    logger: createLogger({ level: 'info', destination }),
    staticDir: `${tmp.dir}/no-dist`,
    tickMs: 100,
    tickPhaseMs: null,
    flushIntervalMs: 50,
  });
  cleanups.push(() => hub.close());
  const probe = createBusProbe({ bus, gatewayId: 'gw-test', clock: systemClock() });
  cleanups.push(() => probe.stop());
  return { hub, store, probe, logs, dir: tmp.dir };
}

const get = (hub: Hub, path: string, token?: string) => fetch(hub.url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
const wsUrl = (hub: Hub) => hub.url.replace(/^http/, 'ws');

function connect(hub: Hub, token: string, origin?: string): TestViewer {
  const v = connectViewer(wsUrl(hub), { token, ...(origin ? { origin } : {}) });
  cleanups.push(() => void v.close());
  return v;
}

describe('hub', () => {
  it('turns frames from the bus into the stream and the API, cut to each viewer\'s scope', async () => {
    const { hub, probe } = await setup();
    const t = Date.now();
    probe.emit(ev.open(t, 'r-001', 'r-001-t1', 'c1'));
    probe.emit(ev.open(t, 'r-002', 'r-002-t1', 'c2'));
    probe.emit(ev.beat(t + 1, 'r-001', 'r-001-t1', 'c1', true, 12));
    probe.flush();

    const restaurants = await (await get(hub, '/api/restaurants', support)).json();
    expect(restaurants.restaurants.map((r: { rid: string; connections: number }) => [r.rid, r.connections])).toEqual([['r-001', 1], ['r-002', 1]]);
    const one = await (await get(hub, '/api/restaurants/r-001', support)).json();
    expect(one.terminals).toEqual([expect.objectContaining({ tid: 'r-001-t1', state: 'connected', connectedSince: t, lastHeartbeatAt: t + 1, rttMs: 12 })]);

    // A snapshot shows the state of the last tick (100 ms here): let one pass after the frame.
    await new Promise((r) => setTimeout(r, 250));
    const all = connect(hub, support);
    const mine = connect(hub, manager);
    const snap = await all.waitFor((f) => f.type === 'snapshot');
    expect(snap.type === 'snapshot' && snap.restaurants.map((r) => r.rid).sort()).toEqual(['r-001', 'r-002']);
    await mine.waitFor((f) => f.type === 'snapshot');

    probe.emit(ev.close(Date.now(), 'r-002', 'r-002-t1', 'c2', 1006, 50));
    probe.flush();
    const delta = await all.waitFor((f) => f.type === 'delta' && f.events.some((e) => e.type === 'close'));
    expect(delta.type === 'delta' && delta.events.map((e) => `${e.type} ${'tid' in e ? e.tid : ''}`)).toEqual(['close r-002-t1']);
    await mine.waitForCount('delta', 3);
    // The manager's stream never carried a byte about r-002.
    expect(mine.raw.join('\n')).not.toContain('r-002');
  });

  it('accepts browsers from its own origin only', async () => {
    const { hub } = await setup();
    const own = connect(hub, support, hub.url);
    await own.waitFor((f) => f.type === 'snapshot');
    const other = connect(hub, support, 'https://evil.example');
    expect((await other.closed).code).toBe(4003);
  });

  it('knows the expected terminals from the store before any frame, and says when the last run crashed', async () => {
    const now = Date.now();
    const { hub, logs } = await setup({
      seed: (store) => store.writeEvents([openEvent(now - 86_400_000, 'r-009-t1'), openEvent(now - 3600_000, 'r-009-t2'), openEvent(now - 30 * 86_400_000, 'r-009-t3')]),
      recovered: { cleanShutdown: false, freshFile: false, lastWriteAt: now - 5000 },
    });
    const body = await (await get(hub, '/api/restaurants/r-009', support)).json();
    expect(body.restaurant).toMatchObject({ rid: 'r-009', connections: 0, expected: 2 });
    expect(body.terminals.map((t: { tid: string; state: string }) => `${t.tid} ${t.state}`).sort()).toEqual(['r-009-t1 disconnected', 'r-009-t2 disconnected']);
    const crash = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.includes('did not shut down cleanly'));
    expect(crash?.level).toBe(50);
    // The truth: minutes are written when they settle, so a kill loses the open ones whole (issue 18, item 14).
    expect(crash?.msg).toMatch(/every restaurant-minute it held up to \d\d:\d\d:\d\d is lost \(it had settled none\), and events after \d\d:\d\d:\d\d \(at most one batch interval, 50 ms\) may be missing; 2 connections open at the kill are closed as hub_killed/);
  });

  it('reports itself on /metrics and /healthz, and answers plain HTTP on /live with 426', async () => {
    const { hub, probe } = await setup();
    probe.emit(ev.open(Date.now(), 'r-001', 'r-001-t1', 'c1'));
    probe.flush();
    probe.flush();
    const metrics = await (await get(hub, '/metrics')).text();
    expect(metrics).toMatch(/^pulse_hub_frames_applied_total\{gateway="gw-test",hub="hub-[0-9a-f]+"\} 2$/m);
    expect(metrics).toMatch(/^pulse_hub_frames_lost_total\{gateway="gw-test",hub="hub-[0-9a-f]+"\} 0$/m);
    expect(metrics).toMatch(/^pulse_hub_write_queue_items\{kind="events",hub="hub-[0-9a-f]+"\} \d+$/m);
    expect(metrics).toMatch(/^pulse_live_viewers\{hub="hub-[0-9a-f]+"\} 0$/m);
    expect(metrics).toMatch(/^pulse_hub_connections\{hub="hub-[0-9a-f]+"\} 1$/m);
    const health = await (await get(hub, '/healthz')).json();
    expect(health).toMatchObject({ status: 'ok', gateways: [{ gw: 'gw-test', lost: 0 }], writeQueue: { backlog: false }, problems: [] });
    const plain = await get(hub, '/live');
    expect([plain.status, ((await plain.json()) as { error: { code: string } }).error.code]).toEqual([426, 'UPGRADE_REQUIRED']);
    const page = await get(hub, '/restaurants/r-001');
    expect(await page.text()).toContain('dashboard not built');
  });

  it('answers 503 STARTING, to requests and stream upgrades alike, while it is still starting', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const tmp = makeTempDir('pulse-hub-');
    cleanups.push(tmp.remove);
    const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
    cleanups.push(() => store.close());
    // Listening, then ~1.5 s waiting for its tick phase before the stream and the API are wired.
    const tickMs = 2000;
    const starting = startHub({ secret, port, bus: createMemoryBus(), store, recovered, staticDir: `${tmp.dir}/no-dist`, tickMs, tickPhaseMs: (Date.now() + 1500) % tickMs });
    cleanups.push(async () => (await starting).close());
    const base = `http://127.0.0.1:${port}`;
    let early: Response | null = null;
    for (let i = 0; i < 100 && !early; i++) early = await fetch(`${base}/healthz`).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 10)));
    expect(early?.status).toBe(503);
    expect(await early?.json()).toEqual({ error: { code: 'STARTING', message: 'Hub starting; try again shortly' } });
    const upgrade = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, [liveSubprotocol, `bearer.${support}`]);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('opened while starting')));
      ws.on('error', () => {});
    });
    expect(upgrade).toBe(503);
    await starting;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('close() writes the open minute and flushes the queue, so nothing accepted is left behind', async () => {
    const { hub, store, probe } = await setup();
    const t = Date.now();
    probe.emit(ev.open(t, 'r-001', 'r-001-t1', 'c1'));
    probe.emit(ev.close(t + 5, 'r-001', 'r-001-t1', 'c1', 1000, 5));
    probe.flush();
    await hub.close();
    const minutes = await store.readMinutes({ rids: ['r-001'], from: t - 60_000, to: t + 60_000 });
    expect(minutes.reduce((n, m) => n + (m.counters.opens ?? 0), 0)).toBe(1);
    expect(minutes.reduce((n, m) => n + (m.counters['closes.1000'] ?? 0), 0)).toBe(1);
    expect((await store.readEvents({ from: t - 1, to: t + 60_000 })).map((e) => e.type)).toEqual(['open', 'close']);
  });
});
