/**
 * A cleanly stopped `pulse gateway` is not a lost one — on real processes, real Redis, a real hub
 * with its SQLite store and alert rules, and the simulator's terminals on real sockets:
 *
 * - SIGTERM: the terminals' 1001 closes are stored, then the goodbye; the hub reads the gateway
 *   stopped, writes no gateway_lost close and raises no "gateway lost" alert, past the timeout too;
 * - kill -9: still lost — gateway_lost closes, the alert fires;
 * - kill -9 and restarted at once under a new run: the old run's connections get gateway_restarted
 *   closes instead of vanishing, and the terminals reconnect to the new run.
 *
 * The hub's gateway timeout is 2 s here (15 s by default) so that "past the timeout" is quick;
 * 15 s for the restart, which a new process must beat.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { relaunchedMarker } from '../cli/v8-flags.js';
import { createRedisBus } from '../bus/redis-bus.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { startFleet, type Fleet } from '../sim/fleet.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { metricValue } from '../gateway/test-helpers/test-terminal.ts';

const skip = await requireService('redis', REDIS_URL);
const bin = join(import.meta.dirname, '../../../bin/pulse.js');
const secret = 'gateway-goodbye-secret-0123456789abcdef';
const GATEWAY_TIMEOUT_MS = 2000;
// Roomy, so that a loaded CI machine drops no terminal on its own (a 4008 would add closes).
const HEARTBEAT_MS = 2000;

describe.skipIf(skip)('pulse gateway stopped, killed, restarted (real processes, Redis, hub, store, simulator)', () => {
  const redis = redisFixture(REDIS_URL);
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => redis.cleanup());

  async function startPipeline(label: string, gatewayTimeoutMs = GATEWAY_TIMEOUT_MS) {
    const stream = redis.key(label);
    const tmp = makeTempDir(`pulse-goodbye-${label}-`);
    cleanups.push(tmp.remove);
    const alertsFile = join(tmp.dir, 'alerts.json');
    writeFileSync(alertsFile, JSON.stringify({ rules: [{ id: 'gateway-lost', name: 'Gateway lost', metric: 'gateway_lost', severity: 'critical' }], restaurants: {}, silences: [], webhooks: [] }));
    const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
    cleanups.push(() => store.close());
    const bus = createRedisBus({ url: REDIS_URL, stream, blockMs: 200 });
    const hub = await startHub({
      secret, port: 0, bus, store, recovered, staticDir: `${tmp.dir}/no-dist`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50,
      heartbeatIntervalMs: HEARTBEAT_MS, gatewayTimeoutMs, alerts: { file: alertsFile },
    });
    cleanups.push(() => hub.close());
    return { stream, hub, store };
  }

  function gatewayProcess(stream: string, id: string, port = 0) {
    // Not relaunched by bin/pulse.js (it would be with V8 flags): the pid is the gateway's own, so kill -9 is what it says.
    const env: NodeJS.ProcessEnv = { ...process.env, PULSE_BUS_STREAM: stream, PULSE_SECRET: secret, [relaunchedMarker]: '1' };
    const child = spawn(process.execPath, [bin, 'gateway', '--port', String(port), '--id', id, '--heartbeat-ms', String(HEARTBEAT_MS), '--metrics-listen', '127.0.0.1:0', '--bus', REDIS_URL], { env });
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = (async () => {
      await waitFor(`the gateway listening\n${out}\n${err}`, () => /listening on ws:\/\//.test(out), 20_000);
      return /listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)/.exec(out)![1]!;
    })();
    return { child, exited, url };
  }

  async function simulate(gatewayUrl: string): Promise<Fleet> {
    const fleet = await startFleet({ gatewayUrl, secret, restaurants: 2, terminals: { min: 2, max: 2 }, heartbeatIntervalMs: HEARTBEAT_MS, backoff: { baseMs: 200, capMs: 400 } });
    cleanups.push(() => fleet.stop());
    return fleet;
  }

  type HealthGateway = { gw: string; state: string };
  const health = async (hub: Hub) => (await (await fetch(`${hub.url}/healthz`)).json()) as { gateways: HealthGateway[]; problems: string[] };
  const stateOf = async (hub: Hub, gw: string) => (await health(hub)).gateways.find((g) => g.gw === gw)?.state;
  const connections = async (hub: Hub) => metricValue(await hub.metricsText(), 'pulse_hub_connections');
  const closesOf = async (store: Store, gw: string): Promise<Extract<LifecycleEvent, { type: 'close' }>[]> =>
    (await store.readEvents({ from: 0, to: Date.now() + 60_000 })).flatMap((e) => (e.type === 'close' && e.gw === gw ? [e] : []));
  const opensOf = async (store: Store, gw: string) => (await store.readEvents({ from: 0, to: Date.now() + 60_000 })).flatMap((e) => (e.type === 'open' && e.gw === gw ? [e] : []));
  const lostAlerts = (hub: Hub, gw: string) => {
    const a = hub.alerts!.answer(Date.now(), { restaurants: null });
    return [...a.active.filter((s) => s.phase === 'firing'), ...a.history].filter((s) => s.metric === 'gateway_lost' && s.subject.kind === 'gateway' && s.subject.gw === gw);
  };

  it('SIGTERM: every connection closed as the terminals saw it (1001), the gateway stopped — no gateway_lost close, no alert', async () => {
    const { stream, hub, store } = await startPipeline('stop');
    const gw = gatewayProcess(stream, 'gw-stop');
    const fleet = await simulate(await gw.url);
    await expect.poll(() => connections(hub), { timeout: 15_000 }).toBe(4);

    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    await expect.poll(() => stateOf(hub, 'gw-stop'), { timeout: 10_000 }).toBe('stopped');
    expect(await connections(hub)).toBe(0);
    // Past the timeout, and then some: still stopped, never lost.
    await sleep(GATEWAY_TIMEOUT_MS * 2);
    expect(await stateOf(hub, 'gw-stop')).toBe('stopped');
    await expect.poll(async () => (await closesOf(store, 'gw-stop')).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(4);
    const closes = await closesOf(store, 'gw-stop');
    const opened = new Set((await opensOf(store, 'gw-stop')).map((e) => e.conn));
    expect(new Set(closes.map((c) => c.conn))).toEqual(opened);
    expect(closes.map((c) => `${c.code} ${c.cause}`)).toEqual(closes.map(() => '1001 going_away'));
    expect(lostAlerts(hub, 'gw-stop')).toEqual([]);
    // The sim's terminals are still trying a gateway that is gone: no terminal of it reads connected.
    expect(fleet.connectedCount()).toBe(0);
    expect((await health(hub)).problems.join('\n')).not.toContain('gw-stop');
    expect(metricValue(await hub.metricsText(), 'pulse_hub_gateway_state', { gateway: 'gw-stop', state: 'stopped' })).toBe(1);
  });

  it('kill -9: lost — its connections closed gateway_lost, the "gateway lost" alert fires', async () => {
    const { stream, hub, store } = await startPipeline('kill');
    const gw = gatewayProcess(stream, 'gw-kill');
    await simulate(await gw.url);
    await expect.poll(() => connections(hub), { timeout: 15_000 }).toBe(4);

    gw.child.kill('SIGKILL');
    await gw.exited;
    await expect.poll(() => stateOf(hub, 'gw-kill'), { timeout: GATEWAY_TIMEOUT_MS + 5_000 }).toBe('lost');
    await expect.poll(async () => (await closesOf(store, 'gw-kill')).length, { timeout: 5_000 }).toBe(4);
    expect((await closesOf(store, 'gw-kill')).map((c) => `${c.code} ${c.cause}`)).toEqual(Array(4).fill('1006 gateway_lost'));
    await waitFor('the alert firing', () => lostAlerts(hub, 'gw-kill').length > 0, 5_000);
  });

  it('killed and restarted under a new run: the old run\'s connections get gateway_restarted closes; the terminals come back', async () => {
    // A new process takes a few seconds to start (tsx): within the default-like timeout it is a restart, not a loss.
    const { stream, hub, store } = await startPipeline('restart', 15_000);
    const first = gatewayProcess(stream, 'gw-restart');
    const url = await first.url;
    const fleet = await simulate(url);
    await expect.poll(() => connections(hub), { timeout: 15_000 }).toBe(4);
    await expect.poll(async () => (await opensOf(store, 'gw-restart')).length, { timeout: 5_000 }).toBe(4);
    const oldConns = new Set((await opensOf(store, 'gw-restart')).map((e) => e.conn));

    first.child.kill('SIGKILL');
    await first.exited;
    const second = gatewayProcess(stream, 'gw-restart', Number(new URL(url).port));
    await second.url;
    // The terminals back, on new connections of the new run.
    await expect.poll(async () => (await opensOf(store, 'gw-restart')).filter((e) => !oldConns.has(e.conn)).length, { timeout: 15_000 }).toBe(4);
    await waitFor('the simulator connected again', () => fleet.connectedCount() === 4, 15_000);
    await expect.poll(() => connections(hub), { timeout: 5_000 }).toBe(4);
    await expect.poll(async () => (await closesOf(store, 'gw-restart')).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(4);
    const closes = await closesOf(store, 'gw-restart');
    expect(new Set(closes.map((c) => c.conn))).toEqual(oldConns);
    expect(closes.map((c) => `${c.code} ${c.cause}`)).toEqual(Array(4).fill('1006 gateway_restarted'));
    expect(await stateOf(hub, 'gw-restart')).toBe('live');
    // Within the timeout it was never lost, so no alert either.
    expect(lostAlerts(hub, 'gw-restart')).toEqual([]);
  });
});
