/**
 * The Node probe's goodbye, on real sockets: the plain `ws` example gateway with `attachProbe`
 * reporting to a real hub's `/ingest` (SQLite store, a "gateway lost" rule), the simulator's
 * terminals connected to it.
 *
 * - SIGTERM to examples/node-ws-gateway (1001 to every terminal, `wss.close()`, `server.close()`,
 *   the probe's close): the closes are stored as the terminals saw them, then the goodbye — the
 *   hub reads the gateway stopped, past its timeout too, with no gateway_lost close and no alert.
 * - A goodbye while terminals are still connected (the probe closed first, the process about to
 *   exit): the hub closes what it still holds open as gateway_stopped (1001) at the goodbye.
 * - kill -9 of the example's process: no goodbye, so lost, as before.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../../protocol/telemetry.ts';
import { signGatewayToken } from '../../auth/tokens.ts';
import { metricValue } from '../../gateway/test-helpers/test-terminal.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import { startFleet } from '../../sim/fleet.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { sleep, waitFor } from '../../test-helpers/wait-for.ts';
import { startExampleGateway, type ExampleGateway } from './test-helpers/node-ws-gateway.ts';

const pulseSecret = 'pulse-goodbye-secret-0123456789abcdef';
const gatewaySecret = 'node-ws-goodbye-secret-0123456789';
const GATEWAY_TIMEOUT_MS = 2000;
// Roomy, so that a loaded CI machine drops no terminal on its own (a 4008 would add closes).
const HEARTBEAT_MS = 2000;
const TERMINALS = 4;
const server = join(import.meta.dirname, '../../../../examples/node-ws-gateway/server.ts');

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The example gateway in this process (its probe at hand), or as its own process (to be signalled). */
async function pipeline(gw: string, where: 'here' | 'process') {
  const tmp = makeTempDir(`pulse-node-goodbye-${gw}-`);
  cleanups.push(tmp.remove);
  const alertsFile = join(tmp.dir, 'alerts.json');
  writeFileSync(alertsFile, JSON.stringify({ rules: [{ id: 'gateway-lost', name: 'Gateway lost', metric: 'gateway_lost', severity: 'critical' }], restaurants: {}, silences: [], webhooks: [] }));
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const hub = await startHub({
    secret: pulseSecret, port: 0, bus: createMemoryBus(), store, recovered, staticDir: `${tmp.dir}/no-dist`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50,
    heartbeatIntervalMs: HEARTBEAT_MS, gatewayTimeoutMs: GATEWAY_TIMEOUT_MS, alerts: { file: alertsFile },
  });
  cleanups.push(() => hub.close());
  const probe = { hub: `ws://127.0.0.1:${hub.port}/ingest`, token: signGatewayToken(pulseSecret, gw), gateway: gw };
  let gateway: ExampleGateway | null = null;
  let child: ReturnType<typeof gatewayProcess> | null = null;
  if (where === 'here') {
    const g = await startExampleGateway({ secret: gatewaySecret, heartbeatIntervalMs: HEARTBEAT_MS, heartbeatGraceMs: 5000, probe });
    cleanups.push(() => g.stop());
    gateway = g;
  } else child = gatewayProcess(probe);
  const url = gateway ? gateway.url : await child!.url;
  const fleet = await startFleet({
    gatewayUrl: url, secret: gatewaySecret, restaurants: 2, terminals: { min: 2, max: 2 }, heartbeatIntervalMs: HEARTBEAT_MS,
    ordersPerTerminalPerMinute: 0, rampPerSec: 1000, backoff: { baseMs: 200, capMs: 400 }, tokenVia: 'query', welcome: false,
  });
  cleanups.push(() => fleet.stop());
  await expect.poll(() => connections(hub), { timeout: 10_000 }).toBe(TERMINALS);
  await expect.poll(async () => (await eventsOf(store, gw, 'open')).length, { timeout: 5_000 }).toBe(TERMINALS);
  return { hub, store, gateway, child, fleet };
}

/** examples/node-ws-gateway/server.ts as an operator runs it, with `--probe`. */
function gatewayProcess(probe: { hub: string; token: string; gateway: string }) {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_SECRET: gatewaySecret, PULSE_HUB: probe.hub, PULSE_INGEST_TOKEN: probe.token, HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), HEARTBEAT_GRACE_MS: '5000' };
  const child = spawn(process.execPath, ['--import', 'tsx', server, '--port', '0', '--probe', '--gateway-id', probe.gateway], { env });
  cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = (async () => {
    await waitFor(`the example gateway listening\n${out}`, () => /listening on ws:\/\//.test(out), 20_000);
    return /listening on (ws:\/\/[^\s]+\/ws)/.exec(out)![1]!;
  })();
  return { child, exited, url };
}

const connections = async (hub: Hub) => metricValue(await hub.metricsText(), 'pulse_hub_connections');
const stateOf = async (hub: Hub, gw: string) => ((await (await fetch(`${hub.url}/healthz`)).json()) as { gateways: { gw: string; state: string }[] }).gateways.find((g) => g.gw === gw)?.state;
async function eventsOf<T extends 'open' | 'close'>(store: Store, gw: string, type: T): Promise<Extract<LifecycleEvent, { type: T }>[]> {
  const all = await store.readEvents({ from: 0, to: Date.now() + 60_000 });
  return all.filter((e): e is Extract<LifecycleEvent, { type: T }> => e.type === type && e.gw === gw);
}
const lostAlerts = (hub: Hub, gw: string) => {
  const a = hub.alerts!.answer(Date.now(), { restaurants: null });
  return [...a.active.filter((s) => s.phase === 'firing'), ...a.history].filter((s) => s.metric === 'gateway_lost' && s.subject.kind === 'gateway' && s.subject.gw === gw);
};

describe('a Node ws gateway with the probe, stopped', () => {
  it('cleanly (SIGTERM: 1001 to every terminal, wss.close(), server.close()): its closes stored as the terminals saw them, the gateway stopped — no gateway_lost, no alert', async () => {
    const { hub, store, child } = await pipeline('gw-node-stop', 'process');
    child!.child.kill('SIGTERM');
    expect(await child!.exited).toBe(0);
    await expect.poll(() => stateOf(hub, 'gw-node-stop'), { timeout: 10_000 }).toBe('stopped');
    await sleep(GATEWAY_TIMEOUT_MS * 2);
    expect(await stateOf(hub, 'gw-node-stop')).toBe('stopped');
    expect(await connections(hub)).toBe(0);
    const closes = await eventsOf(store, 'gw-node-stop', 'close');
    expect(new Set(closes.map((c) => c.conn))).toEqual(new Set((await eventsOf(store, 'gw-node-stop', 'open')).map((e) => e.conn)));
    expect(closes.map((c) => `${c.code} ${c.cause}`)).toEqual(Array(TERMINALS).fill('1001 going_away'));
    expect(lostAlerts(hub, 'gw-node-stop')).toEqual([]);
  });

  it('with terminals still connected at its goodbye: the hub closes them gateway_stopped (1001) at the goodbye', async () => {
    const { hub, store, gateway } = await pipeline('gw-node-bye', 'here');
    const before = Date.now();
    await gateway!.probe!.close(); // the goodbye; the server still holds its terminals
    const after = Date.now();
    await expect.poll(() => stateOf(hub, 'gw-node-bye'), { timeout: 10_000 }).toBe('stopped');
    expect(gateway!.clients()).toBe(TERMINALS);
    await expect.poll(() => connections(hub), { timeout: 5_000 }).toBe(0);
    await expect.poll(async () => (await eventsOf(store, 'gw-node-bye', 'close')).length, { timeout: 5_000 }).toBe(TERMINALS);
    const closes = await eventsOf(store, 'gw-node-bye', 'close');
    expect(closes.map((c) => `${c.code} ${c.cause}`)).toEqual(Array(TERMINALS).fill('1001 gateway_stopped'));
    // At the goodbye batch: the hub's frame time for it (the probe's batches are folded on the hub's clock).
    for (const c of closes) expect(c.t).toBeGreaterThanOrEqual(before - 1000);
    for (const c of closes) expect(c.t).toBeLessThanOrEqual(after + 1000);
    await sleep(GATEWAY_TIMEOUT_MS * 2);
    expect(await stateOf(hub, 'gw-node-bye')).toBe('stopped');
    expect(lostAlerts(hub, 'gw-node-bye')).toEqual([]);
  });
});

describe('a Node ws gateway killed (no goodbye)', () => {
  it('is lost: gateway_lost closes, the alert fires', async () => {
    const { hub, store, child } = await pipeline('gw-node-kill', 'process');
    child!.child.kill('SIGKILL');
    await child!.exited;
    await expect.poll(() => stateOf(hub, 'gw-node-kill'), { timeout: GATEWAY_TIMEOUT_MS + 5_000 }).toBe('lost');
    await expect.poll(async () => (await eventsOf(store, 'gw-node-kill', 'close')).length, { timeout: 5_000 }).toBe(TERMINALS);
    expect((await eventsOf(store, 'gw-node-kill', 'close')).map((c) => `${c.code} ${c.cause}`)).toEqual(Array(TERMINALS).fill('1006 gateway_lost'));
    await expect.poll(() => lostAlerts(hub, 'gw-node-kill').length, { timeout: 5_000 }).toBeGreaterThan(0);
  });
});
