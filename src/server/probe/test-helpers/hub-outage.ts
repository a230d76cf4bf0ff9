/**
 * The hub-outage run both probes' safety tests share (DESIGN.md, "Ways in": a probe can never
 * hurt the gateway it watches): a real hub behind a TCP relay, simulated terminals on a gateway
 * whose probe reports through the relay, then the relay gone for `outageMs` — the probe's hub
 * address refuses connections, as a hub that is down does — and back.
 *
 * Why a relay and not a stopped hub: the hub's counters must span the whole run for "events
 * dropped = events the hub never got" to be checked exactly, and a restarted hub starts them at 0
 * (and refuses a resent backlog's events of connections it has not yet been re-told about —
 * counted as refused, not lost: see the report of issue 11).
 *
 * What it records for the test to judge: the simulator's truth, the hub's ingest counters and
 * connections, and `sample()` (the probe's own counters where it can be asked live) every 2 s of
 * the outage.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { signGatewayToken, signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import type { ProbeIngestStats } from '../../hub/ingest/ingest-service.ts';
import { startFleet } from '../../sim/fleet.ts';
import type { TerminalTruthEvent, TruthEvent } from '../../sim/truth-events.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { sleep, waitFor } from '../../test-helpers/wait-for.ts';

export const OUTAGE_HEARTBEAT_MS = 200;
/**
 * Generous on both sides (the gateway's 4008 after 2 × 200 + 2000 ms; the terminals' own after
 * 3 s without a pong): the test process holds hub, gateway and terminals on a shared 2-core machine,
 * and one run at load average 15 saw a stall of > 400 ms close all 20 terminals at once (their
 * default: silent for 2 intervals). What is tested is the probe, not the machine's scheduling.
 */
export const OUTAGE_GRACE_MS = 2000;
export const OUTAGE_RESTAURANTS = 4;
export const OUTAGE_TERMINALS_PER_RESTAURANT = 5;
export const OUTAGE_TERMINALS = OUTAGE_RESTAURANTS * OUTAGE_TERMINALS_PER_RESTAURANT;
/** The probes' reconnect backoff is capped at 30 s (full jitter): the hub is back within that, plus a handshake. */
export const RECONNECT_BOUND_MS = 35_000;

/** A TCP relay on a fixed port: `down()` closes it (connects are refused) and cuts what it carries; `up()` listens again. */
export interface Relay {
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(targetPort: number): Promise<Relay> {
  const carried = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = async () => {
    const s = createServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      for (const sock of [inbound, outbound]) {
        carried.add(sock);
        sock.on('close', () => carried.delete(sock));
        sock.on('error', () => {});
      }
      inbound.pipe(outbound).pipe(inbound);
      const cut = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('close', cut);
      outbound.on('close', cut);
    });
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const down = async () => {
    const s = server;
    server = null;
    for (const sock of carried) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return { port, down, up: listen, close: down };
}

export interface OutageHub {
  readonly hub: Hub;
  /** What the probe is given: the relay in front of the hub's `/ingest`. */
  readonly ingestUrl: string;
  readonly relay: Relay;
  readonly gatewayToken: string;
  stats(): ProbeIngestStats | undefined;
  connections(): Promise<number>;
  stop(): Promise<void>;
}

export async function startOutageHub(o: { secret: string; gatewayId: string }): Promise<OutageHub> {
  const tmp = makeTempDir('pulse-probe-outage-');
  const { store } = (await openSqliteStore({ dataDir: tmp.dir })) as { store: Store };
  const hub = await startHub({ secret: o.secret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS, heartbeatGraceMs: OUTAGE_GRACE_MS });
  const relay = await startRelay(hub.port);
  const viewer = signViewerToken(o.secret, { sub: 'outage', role: 'support' });
  return {
    hub,
    relay,
    ingestUrl: `ws://127.0.0.1:${relay.port}/ingest`,
    gatewayToken: signGatewayToken(o.secret, o.gatewayId),
    stats: () => hub.ingest.stats().get(o.gatewayId),
    connections: async () => {
      const res = await fetch(`${hub.url}/api/fleet`, { headers: { authorization: `Bearer ${viewer}` } });
      return ((await res.json()) as { totals: { connections: number } }).totals.connections;
    },
    stop: async () => {
      await relay.close();
      await hub.close();
      await store.close();
      tmp.remove();
    },
  };
}

export interface OutageRun<S> {
  truth: TerminalTruthEvent[];
  downAt: number;
  upAt: number;
  /** The probe's counters every 2 s while the hub was down (empty when it cannot be asked live). */
  samples: S[];
  /** The hub's connections once it had heard from the probe again. */
  connectionsAfter: number;
  /** Hub ingest events counted at the end of the outage, and once the probe was back. */
  eventsAtUp: number;
  eventsResumed: number;
}

/**
 * Terminals on `gatewayUrl` (their tokens in `?token=`, no welcome, as both example gateways
 * want), the hub down for `outageMs`, back until its figures resume; then the terminals leave.
 */
export async function runHubOutage<S>(o: { gatewayUrl: string; secret: string; hub: OutageHub; outageMs: number; sample?: () => S }): Promise<OutageRun<S>> {
  const truth: TerminalTruthEvent[] = [];
  const fleet = await startFleet({
    gatewayUrl: o.gatewayUrl,
    secret: o.secret,
    restaurants: OUTAGE_RESTAURANTS,
    terminals: { min: OUTAGE_TERMINALS_PER_RESTAURANT, max: OUTAGE_TERMINALS_PER_RESTAURANT },
    heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS,
    ordersPerTerminalPerMinute: 0,
    seed: 60,
    rampPerSec: 1000,
    backoff: { baseMs: 150, capMs: 600 },
    healthThresholds: { degradedAfterMs: 1000, unhealthyAfterMs: 3000 },
    tokenVia: 'query',
    welcome: false,
    onTruth: (e: TruthEvent) => void ('tid' in e && truth.push(e)),
  });
  const samples: S[] = [];
  try {
    await waitFor('the hub sees every terminal', () => fleet.connectedCount() === OUTAGE_TERMINALS, 10_000);
    for (let i = 0; i < 100 && (await o.hub.connections()) !== OUTAGE_TERMINALS; i++) await sleep(100);

    await o.hub.relay.down();
    const downAt = Date.now();
    while (Date.now() - downAt < o.outageMs) {
      await sleep(Math.min(2000, o.outageMs - (Date.now() - downAt)));
      if (o.sample) samples.push(o.sample());
    }
    const eventsAtUp = o.hub.stats()?.events ?? 0;
    await o.hub.relay.up();
    const upAt = Date.now();
    await waitFor('the probe reaches the hub again', () => (o.hub.stats()?.lastBatchAt ?? 0) > upAt, RECONNECT_BOUND_MS);
    // The backlog resent and the open connections re-announced: the hub's figures are live again.
    let connectionsAfter = 0;
    for (let i = 0; i < 50; i++) {
      connectionsAfter = await o.hub.connections();
      if (connectionsAfter === OUTAGE_TERMINALS) break;
      await sleep(100);
    }
    const resumedFrom = o.hub.stats()?.events ?? 0;
    await sleep(2 * OUTAGE_HEARTBEAT_MS + 1000);
    return { truth, downAt, upAt, samples, connectionsAfter, eventsAtUp, eventsResumed: (o.hub.stats()?.events ?? 0) - resumedFrom };
  } finally {
    await fleet.stop();
  }
}

/** Per terminal: pongs it got while the hub was down (the gateway kept serving), and any close then. */
export function servedDuringOutage(run: OutageRun<unknown>): { pongs: Map<string, number>; closes: TerminalTruthEvent[]; maxRttMs: number } {
  const pongs = new Map<string, number>();
  let maxRttMs = 0;
  const during = run.truth.filter((e) => e.t >= run.downAt && e.t < run.upAt);
  for (const e of during) {
    if (e.ev !== 'pong') continue;
    pongs.set(e.tid, (pongs.get(e.tid) ?? 0) + 1);
    maxRttMs = Math.max(maxRttMs, e.rtt);
  }
  return { pongs, closes: during.filter((e) => e.ev === 'close'), maxRttMs };
}

/** Pings that reached the gateway, per terminal, by the truth (none is lost on the simulator's `lan`). */
export function deliveredPings(truth: readonly TerminalTruthEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of truth) if (e.ev === 'ping' && !e.lost) out.set(e.tid, (out.get(e.tid) ?? 0) + 1);
  return out;
}
