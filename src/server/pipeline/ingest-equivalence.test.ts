/**
 * The open ingest yields the same figures as the reference gateway's own probe (issue 9): a fleet
 * with faults runs against the reference gateway; every probe event it emitted is written out as
 * the raw connection events a probe in another language would send (docs/telemetry.md) and
 * replayed into a second hub's `/ingest`, over a real socket, in batches. Both hubs must then
 * answer the REST API with the same counts, percentiles, durations and traffic, per restaurant.
 *
 * Terminal-time (connected/healthy ms, stability) is left out: a hub credits it from its own clock
 * as frames arrive live, which a replay seconds later cannot reproduce by design.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { INGEST_VERSION, ingestSubprotocol, type IngestAnswer, type RawEvent } from '../../protocol/ingest.ts';
import type { ProbeEvent } from '../../protocol/probe-events.ts';
import { signGatewayToken, signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { parseScenario } from '../sim/scenario.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { startAllInOne, type AllInOne } from './all-in-one.ts';

const secret = 'ingest-equivalence-secret-0123456789';
const HEARTBEAT_MS = 300;
const RIDS = ['r-001', 'r-002', 'r-003', 'r-004'];
const viewer = signViewerToken(secret, { sub: 'eq', role: 'support' });

const scenario = parseScenario(
  JSON.stringify({
    network: { default: 'lan', mix: [{ profile: 'wifi', share: 0.5 }] },
    orders: { perTerminalPerMinute: 120 },
    faults: [
      { type: 'outage', at: 1, duration: 1, restaurants: ['r-002'] },
      { type: 'flap', at: 0.5, duration: 3, everyS: 0.7, terminals: ['r-003-t1'] },
      { type: 'silent', at: 1, duration: 1.2, terminals: ['r-004-t2'] },
    ],
  }),
);

/** A probe event as the raw event a probe elsewhere would send for it. */
function rawOf(e: ProbeEvent): RawEvent {
  switch (e.type) {
    case 'open':
      return { type: 'open', t: e.t, conn: e.conn, rid: e.rid, tid: e.tid, via: e.via };
    case 'close':
      return { type: 'close', t: e.t, conn: e.conn, code: e.code, reason: e.reason, by: e.byServer ? 'gateway' : 'terminal' };
    case 'heartbeat':
      return e.rtt === undefined ? { type: 'ping', t: e.t, conn: e.conn } : { type: 'ping', t: e.t, conn: e.conn, rtt: e.rtt };
    case 'ack':
      return { type: 'ack', t: e.t, conn: e.conn, seq: e.seq, latency: e.latencyMs };
    case 'limit':
      return { type: 'limit', t: e.t, conn: e.conn, kind: e.kind, detail: e.detail };
    case 'auth_fail':
      return { type: 'auth_fail', t: e.t, reason: e.reason, ...(e.claimedRid ? { claimedRid: e.claimedRid } : {}), ...(e.claimedTid ? { claimedTid: e.claimedTid } : {}) };
    case 'traffic':
      return e.dir === 'in' ? { type: 'traffic', t: e.t, conn: e.conn, msgIn: 1, bytesIn: e.bytes } : { type: 'traffic', t: e.t, conn: e.conn, msgOut: 1, bytesOut: e.bytes };
  }
}

let app: AllInOne;
let replay: { hub: Hub; store: Store };
const cleanup: (() => unknown)[] = [];
const probed: ProbeEvent[] = [];
let from = 0;
let to = 0;
const answers: IngestAnswer[] = [];

async function series(hub: Hub, rid: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${hub.url}/api/restaurants/${rid}/series?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${viewer}` } });
  const { total } = (await res.json()) as { total: Record<string, unknown> };
  const { connectedMs: _c, healthyMs: _h, expectedMs: _e, stability: _s, expected: _x, heartbeatSuccess: _hs, ...counts } = total;
  return counts;
}

beforeAll(async () => {
  const a = makeTempDir('pulse-eq-a-');
  const b = makeTempDir('pulse-eq-b-');
  cleanup.push(a.remove, b.remove);
  app = await startAllInOne({
    secret,
    dataDir: a.dir,
    port: 0,
    gatewayPort: 0,
    staticDir: `${a.dir}/none`,
    heartbeatIntervalMs: HEARTBEAT_MS,
    heartbeatGraceMs: 150,
    probeTap: (e) => probed.push(e),
    sim: { restaurants: RIDS.length, terminals: { min: 3, max: 3 }, scenario, seed: 5, rampPerSec: 2000, backoff: { baseMs: 150, capMs: 600 }, stableAfterMs: 2 * HEARTBEAT_MS },
  });
  from = app.fleet!.startedAt;
  await new Promise((r) => setTimeout(r, 3500));
  await app.fleet!.stop();
  await app.gateway.close();
  await app.probe.stop();
  to = Date.now() + 1;

  const { store } = await openSqliteStore({ dataDir: b.dir });
  const hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, staticDir: `${b.dir}/none`, heartbeatIntervalMs: HEARTBEAT_MS, heartbeatGraceMs: 150, tickMs: 100, tickPhaseMs: null });
  replay = { hub, store };

  // The whole replay inside one second of the hub's ingest, so it reaches the fleet state as one frame.
  await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/ingest`, [ingestSubprotocol, `bearer.${signGatewayToken(secret, app.gateway.id)}`]);
  ws.on('message', (d) => answers.push(JSON.parse(String(d)) as IngestAnswer));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const raw = probed.map(rawOf);
  let seq = 0;
  for (let i = 0; i < raw.length; i += 500) ws.send(JSON.stringify({ v: INGEST_VERSION, gw: app.gateway.id, run: from, seq: ++seq, t: Date.now(), events: raw.slice(i, i + 500) }));
  await waitFor('every batch answered', () => answers.length === seq, 5000);
  ws.close();
  // The last second's frame goes out on the ingest's next whole second; then the hub has applied it.
  await new Promise((r) => setTimeout(r, 1500));
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await replay?.hub.close();
  await replay?.store.close();
  cleanup.forEach((c) => c());
});

describe('the open ingest equals the reference probe', () => {
  it('the run had what is worth comparing: faults, acks, limits or timeouts, late heartbeats', () => {
    const types = new Set(probed.map((e) => e.type));
    expect([...types].sort()).toEqual(expect.arrayContaining(['ack', 'close', 'heartbeat', 'open', 'traffic']));
    expect(probed.some((e) => e.type === 'close' && e.code === 4008)).toBe(true);
    expect(probed.some((e) => e.type === 'close' && e.code === 1006)).toBe(true);
    expect(probed.filter((e) => e.type === 'heartbeat').length).toBeGreaterThan(60);
  });

  it('every raw event was taken, none refused', () => {
    expect(answers.every((a) => a.type === 'ack' && a.refused.length === 0)).toBe(true);
    expect(answers.reduce((n, a) => n + (a.type === 'ack' ? a.accepted : 0), 0)).toBe(probed.length);
  });

  it('per restaurant: the same opens, reconnects, closes, errors, heartbeats, percentiles, durations and traffic', async () => {
    for (const rid of RIDS) {
      const direct = await series(app.hub, rid);
      const viaIngest = await series(replay.hub, rid);
      expect(direct.opens, rid).toBeGreaterThan(0);
      expect(viaIngest, rid).toEqual(direct);
    }
  });
});
