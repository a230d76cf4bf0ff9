/**
 * Issue 18, item 1, through every probe that ships: a terminal reporting `rtt: 1e9` (and one
 * within the ingest's 60 s but longer than the heartbeat interval) through the Node probe in a
 * `ws` gateway, the Python probe in the FastAPI example gateway, and `pulse start --upstream`'s
 * proxy — each on real sockets into a real hub and store. As with the reference gateway
 * (src/server/hub/implausible-rtt-diagnosis.test.ts): the RTT figures hold only the plausible
 * sample, every heartbeat counts, and the terminal's timeline counts each implausible report.
 * Before, the probes dropped the figure on their side and the hub never heard of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventsPageAnswerSchema } from '../../protocol/api.ts';
import { signGatewayToken, signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { startWatchingUpstream } from '../pipeline/watch-upstream.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { requireFastApi, startFastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import { startExampleGateway } from './node/test-helpers/node-ws-gateway.ts';

const pulseSecret = 'pulse-own-secret-0123456789abcdef';
const gatewaySecret = 'implausible-rtt-gateway-secret-0123';
const engineer = signViewerToken(pulseSecret, { sub: 'erin', role: 'engineer' });
const INTERVAL_MS = 1000;
const GRACE_MS = 500;
/** One plausible report, then three the hub must count: 1e9 (beyond the ingest's 60 s) and 5 s (beyond the interval). */
const RTTS = [12, 1e9, 1e9, 5000];
const IMPLAUSIBLE = 3;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hubWithStore(): Promise<Hub> {
  const tmp = makeTempDir('pulse-rtt-probes-');
  cleanups.push(tmp.remove);
  const { store } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const hub = await startHub({ secret: pulseSecret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, heartbeatIntervalMs: INTERVAL_MS, heartbeatGraceMs: GRACE_MS, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50 });
  cleanups.push(() => hub.close());
  return hub;
}

async function get<T>(hub: Hub, path: string): Promise<T | null> {
  const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${engineer}` } });
  return res.status === 200 ? ((await res.json()) as T) : null;
}

/** A terminal of r-001 (`?token=`, no welcome) pinging once an interval with `RTTS`, then closing. */
async function runTerminal(gatewayUrl: string): Promise<number> {
  const ws = new WebSocket(`${gatewayUrl}?token=${signTerminalToken(gatewaySecret, 't1', 'r-001', 600)}`);
  await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const openedAt = Date.now();
  const pongs: number[] = [];
  ws.on('message', (data) => pongs.push((JSON.parse(String(data)) as { seq: number }).seq));
  // A ping in the middle of each interval's window: each answers one (src/core/raw-events.ts).
  for (const [i, rtt] of RTTS.entries()) {
    await new Promise((r) => setTimeout(r, openedAt + (i + 1) * INTERVAL_MS - Date.now()));
    ws.send(JSON.stringify({ type: 'ping', seq: i + 1, timestamp: Date.now(), rtt }));
  }
  // Past the last interval's deadline (it is counted when it runs out), then a clean close.
  await new Promise((r) => setTimeout(r, openedAt + RTTS.length * INTERVAL_MS + GRACE_MS + 200 - Date.now()));
  expect(pongs).toEqual(RTTS.map((_, i) => i + 1));
  ws.close(1000);
  await new Promise((r) => ws.once('close', r));
  return openedAt;
}

type Total = { heartbeatsOnTime: number; heartbeatsLate: number; rttMs: { p50: number; p95: number; p99: number; max?: number } | null };

async function expectCountedOnce(hub: Hub, from: number): Promise<void> {
  const to = Date.now() + 60_000;
  const implausible = async () => {
    const page = await get<unknown>(hub, `/api/restaurants/r-001/terminals/t1/events?from=${from - 1000}&to=${to}`);
    return page === null ? null : eventsPageAnswerSchema.parse(page).events.reduce((n, e) => n + (e.type === 'rtt_implausible' ? e.count : 0), 0);
  };
  await expect.poll(implausible, { timeout: 8_000 }).toBe(IMPLAUSIBLE);
  const total = async () => (await get<{ total: Total }>(hub, `/api/restaurants/r-001/series?from=${from - 60_000}&to=${to}`))?.total ?? null;
  await expect.poll(async () => (await total())?.heartbeatsOnTime, { timeout: 8_000 }).toBe(RTTS.length);
  const t = (await total())!;
  expect(t.heartbeatsLate).toBe(0);
  // The plausible report is the only sample: percentiles untouched by 1e9 and by 5 s.
  expect([t.rttMs?.p50, t.rttMs?.p95, t.rttMs?.p99].map((v) => Math.round(v ?? -1))).toEqual([12, 12, 12]);
}

describe('an implausible RTT through the shipped probes', () => {
  it('Node probe in a `ws` gateway: heartbeats counted, no sample, counted against the terminal', async () => {
    const hub = await hubWithStore();
    const gateway = await startExampleGateway({
      secret: gatewaySecret,
      heartbeatIntervalMs: INTERVAL_MS,
      heartbeatGraceMs: GRACE_MS,
      probe: { hub: hub.url, token: signGatewayToken(pulseSecret, 'gw-node-rtt'), gateway: 'gw-node-rtt' },
    });
    cleanups.push(() => gateway.stop());
    const from = await runTerminal(gateway.url);
    await expectCountedOnce(hub, from);
    expect(gateway.probe!.stats().implausibleRtt).toBe(2); // the ones beyond 60 s; the hub judged the 5 s
  }, 30_000);

  it.skipIf(requireFastApi())('Python probe in the FastAPI gateway: the same', async () => {
    const hub = await hubWithStore();
    const gateway = await startFastApiGateway({
      secret: gatewaySecret,
      heartbeatIntervalMs: INTERVAL_MS,
      heartbeatGraceMs: GRACE_MS,
      probe: { hub: `${hub.url.replace(/^http/, 'ws')}/ingest`, token: signGatewayToken(pulseSecret, 'gw-py-rtt'), gateway: 'gw-py-rtt' },
    });
    cleanups.push(() => gateway.stop());
    const from = await runTerminal(gateway.url);
    await expectCountedOnce(hub, from);
  }, 40_000);

  it('the proxy of `pulse start --upstream`: the same', async () => {
    const upstream = await startExampleGateway({ secret: gatewaySecret, heartbeatIntervalMs: INTERVAL_MS, heartbeatGraceMs: GRACE_MS });
    cleanups.push(() => upstream.stop());
    const tmp = makeTempDir('pulse-rtt-proxy-');
    cleanups.push(tmp.remove);
    const pulse = await startWatchingUpstream({
      secret: pulseSecret,
      dataDir: tmp.dir,
      upstream: upstream.url,
      port: 0,
      gatewayPort: 0,
      staticDir: `${tmp.dir}/none`,
      heartbeatIntervalMs: INTERVAL_MS,
      heartbeatGraceMs: GRACE_MS,
      hub: { tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50 },
    });
    cleanups.push(() => pulse.stop());
    const from = await runTerminal(`${pulse.proxy.url}/ws`);
    await expectCountedOnce(pulse.hub, from);
  }, 30_000);
});
