/**
 * Reconciliation through the in-process Node probe (DESIGN.md, "Ways in"): simulated terminals →
 * a plain Node `ws` gateway that is not Pulse's (the example of examples/node-ws-gateway: token in
 * `?token=`, no welcome message, 4001 on a bad token, 4008 on a silent one) with `attachProbe`
 * added in one line → the hub's `/ingest` over a real socket, with a gateway token → the hub's
 * figures equal the simulator's ground truth: opens, reconnects, closes by code and refused tokens
 * exactly; heartbeats within one per terminal; RTT p50/p95/p99 within 1 %. The mirror of
 * proxy-reconciliation.test.ts, with the probe inside the gateway instead of in front of it.
 *
 * The probe's identify() is the gateway's own verification, so opens are reported at once
 * (verified) and a refused token is an `auth_fail` labelled with its unverified claims when the
 * gateway closes it 4001.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEvent, RawEventOf } from '../../protocol/ingest.ts';
import { signGatewayToken, signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startHub, type Hub } from '../hub/hub.ts';
import { startExampleGateway, type ExampleGateway } from '../probe/node/test-helpers/node-ws-gateway.ts';
import type { Fleet } from '../sim/fleet.ts';
import type { TruthEvent } from '../sim/truth-events.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { heartbeatTruth } from '../../core/test-helpers/heartbeat-windows.ts';
import { expectedCounts, expectSamplesSent, keptRtts, GRACE_MS, HEARTBEAT_MS, RIDS, runForeignFleet, TERMINALS } from './test-helpers/foreign-fleet.ts';
import { expectWithinOnePercent, hubConnected as hubConnectedVia, truthConnected as truthConnectedOf, type Percentiles } from './test-helpers/reconcile.ts';

const pulseSecret = 'pulse-own-secret-0123456789abcdef';
const gatewaySecret = 'node-ws-gateway-secret-0123456789';
const GATEWAY_ID = 'gw-node-1';

type Total = { opens: number; reconnects: number; closes: Record<string, number>; errors: Record<string, number>; heartbeatsOnTime: number; heartbeatsLate: number; rttMs: Percentiles; deliveryMs?: Percentiles };

let hub: Hub;
let store: Store;
let gateway: ExampleGateway;
let fleet: Fleet;
const truth: TruthEvent[] = [];
const raw: RawEvent[] = [];
const connRid = new Map<string, string>();
const viewer = signViewerToken(pulseSecret, { sub: 'reconcile', role: 'support' });
let from = 0;
let to = 0;
let quiet: { hub: Record<string, number>; truth: Record<string, number> };
const cleanup: (() => unknown)[] = [];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${viewer}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const truthConnected = () => truthConnectedOf(truth, RIDS);
const hubConnected = () => hubConnectedVia(api, RIDS);
const total = async (rid: string) => (await api<{ total: Total }>(`/api/restaurants/${rid}/series?from=${from}&to=${to}`)).total;
const events = (rid: string) => truth.filter((e): e is Extract<TruthEvent, { tid: string }> => 'tid' in e && e.rid === rid);
const pings = (rid?: string) => raw.filter((e): e is RawEventOf<'ping'> => e.type === 'ping' && (rid === undefined || connRid.get(e.conn) === rid));

beforeAll(async () => {
  const tmp = makeTempDir('pulse-node-probe-reconcile-');
  cleanup.push(tmp.remove);
  ({ store } = await openSqliteStore({ dataDir: tmp.dir }));
  hub = await startHub({ secret: pulseSecret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, heartbeatIntervalMs: HEARTBEAT_MS, heartbeatGraceMs: GRACE_MS });
  gateway = await startExampleGateway({
    secret: gatewaySecret,
    heartbeatIntervalMs: HEARTBEAT_MS,
    heartbeatGraceMs: GRACE_MS,
    probe: {
      hub: hub.url,
      token: signGatewayToken(pulseSecret, GATEWAY_ID),
      gateway: GATEWAY_ID,
      tap: (e) => {
        raw.push(e);
        if (e.type === 'open') connRid.set(e.conn, e.rid);
      },
    },
  });
  ({ fleet, from, quiet } = await runForeignFleet({ gatewayUrl: gateway.url, secret: gatewaySecret, truth, hubConnected, truthConnected }));
  // The probe batches every second; the hub's ingest applies on the next whole second.
  await new Promise((r) => setTimeout(r, 2_600));
  to = Date.now() + 1;
}, 90_000);

afterAll(async () => {
  await fleet?.stop();
  await gateway?.stop();
  await hub?.close();
  await store?.close();
  for (const c of cleanup.reverse()) await c();
});

describe('reconciliation through the Node ws probe (attachProbe), against a plain ws gateway', () => {
  it('the faults happened as planned (or the test would prove nothing)', () => {
    expect(events('r-003').filter((e) => e.ev === 'close' && e.code === 1000).length).toBeGreaterThanOrEqual(TERMINALS);
    expect(events('r-005').filter((e) => e.ev === 'close' && e.tid === 'r-005-t2' && e.code === 1006).length).toBeGreaterThanOrEqual(2);
    expect(truth.some((e) => e.ev === 'close' && e.tid === 'r-006-t1' && e.silent)).toBe(true);
    expect(raw.some((e) => e.type === 'close' && e.code === 4008 && e.by === 'gateway')).toBe(true);
    expect(truth.some((e) => e.ev === 'connect_fail' && e.tid === 'r-002-t3' && e.code === 4001)).toBe(true);
    expect(raw.some((e) => e.type === 'auth_fail' && e.claimedRid === 'r-002' && e.claimedTid === 'r-002-t3' && e.reason === 'bad_signature')).toBe(true);
    expect(raw.some((e) => e.type === 'ack')).toBe(true);
    expect(pings().length).toBeGreaterThan(RIDS.length * TERMINALS * 15);
  });

  it('connections per restaurant while the fleet is up, and none after it stopped', async () => {
    expect(quiet.hub).toEqual(quiet.truth);
    const { totals } = await api<{ totals: { connections: number } }>('/api/fleet');
    expect(totals.connections).toBe(0);
  });

  it('opens, reconnects, closes by code and refused tokens: exactly, per restaurant', async () => {
    for (const rid of RIDS) {
      const want = expectedCounts(rid, events(rid));
      const t = await total(rid);
      expect({ rid, opens: t.opens, reconnects: t.reconnects, closes: t.closes, refused: t.errors.auth_failed ?? 0 }).toEqual(want);
    }
  });

  it('heartbeats: what the probe saw, and within one per terminal of the pings that reached the gateway', async () => {
    for (const rid of RIDS) {
      const t = await total(rid);
      const delivered = events(rid).filter((e) => e.ev === 'ping' && !e.lost).length;
      // On time = heartbeat intervals answered (issue 18, item 12): the rule written out apart.
      // A close that reaches the hub a batch after a window ran out: that window was expected too.
      const truth = heartbeatTruth(raw.filter((e) => e.conn !== undefined && connRid.get(e.conn) === rid), HEARTBEAT_MS, GRACE_MS, 2000);
      expect(t.heartbeatsLate, rid).toBe(truth.late);
      expect(t.heartbeatsOnTime, rid).toBeGreaterThanOrEqual(truth.answered);
      expect(t.heartbeatsOnTime, rid).toBeLessThanOrEqual(truth.answered + truth.closing);
      expect(Math.abs(pings(rid).length - delivered), rid).toBeLessThanOrEqual(TERMINALS);
    }
  });

  it('RTT p50/p95/p99 within 1 % of the exact percentiles of the terminals\' own samples, per restaurant and fleet-wide', async () => {
    const all: number[] = [];
    for (const rid of RIDS) {
      const seen = keptRtts(pings(rid));
      expectSamplesSent(events(rid), seen, rid);
      expect(seen.length, rid).toBeGreaterThan(10);
      expectWithinOnePercent((await total(rid)).rttMs, seen, `${rid} over the run`);
      all.push(...seen);
    }
    const fleetTotal = (await api<{ total: Total }>(`/api/fleet/series?from=${from}&to=${to}`)).total;
    expectWithinOnePercent(fleetTotal.rttMs, all, 'fleet over the run');
  });

  it('nothing the probe reported was refused or lost on the way to the hub, and the gateway never felt it', () => {
    expect(gateway.probe!.stats()).toMatchObject({ eventsRefused: 0, dropped: 0, batchErrors: 0, observerErrors: 0 });
    expect(gateway.probe!.stats().batchesAcked).toBeGreaterThan(5);
  });
});
