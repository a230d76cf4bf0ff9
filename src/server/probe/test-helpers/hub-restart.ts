/**
 * A hub that can be *restarted* under a probe (the report on issue 11), for both probes' restart
 * tests: a real hub over a SQLite data dir, closed (store too) and started again over the same dir
 * on the same port, so the probe's hub address is the same and the new hub knows none of its
 * connections. Unlike test-helpers/hub-outage.ts (a relay, one hub throughout), the counters are
 * two hubs': `restart()` returns the old hub's, `stats()` is the new one's.
 */
import { signGatewayToken, signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import type { ProbeIngestStats } from '../../hub/ingest/ingest-service.ts';
import { startFleet, type Fleet } from '../../sim/fleet.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { sleep } from '../../test-helpers/wait-for.ts';
import { OUTAGE_GRACE_MS, OUTAGE_HEARTBEAT_MS, OUTAGE_RESTAURANTS, OUTAGE_TERMINALS_PER_RESTAURANT } from './hub-outage.ts';

export interface RestartableHub {
  /** The probe's hub address: the same before and after the restart. */
  readonly ingestUrl: string;
  readonly gatewayToken: string;
  /** The running hub's ingest counters for the gateway. */
  stats(): ProbeIngestStats | undefined;
  /** The running hub's fleet: connections it shows. */
  connections(): Promise<number>;
  /** Stops the hub and its store, waits `downMs`, starts a new one over the same dir and port; the old hub's counters. */
  restart(downMs: number): Promise<ProbeIngestStats | undefined>;
  stop(): Promise<void>;
}

export async function startRestartableHub(o: { secret: string; gatewayId: string }): Promise<RestartableHub> {
  const tmp = makeTempDir('pulse-probe-restart-');
  let store: Store;
  let hub: Hub;
  let port = 0;
  const open = async () => {
    ({ store } = (await openSqliteStore({ dataDir: tmp.dir })) as { store: Store });
    hub = await startHub({ secret: o.secret, port, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS, heartbeatGraceMs: OUTAGE_GRACE_MS });
    port = hub.port;
  };
  const shut = async () => {
    await hub.close();
    await store.close();
  };
  await open();
  const viewer = signViewerToken(o.secret, { sub: 'restart', role: 'support' });
  const stats = () => hub.ingest.stats().get(o.gatewayId);
  return {
    ingestUrl: `ws://127.0.0.1:${port}/ingest`,
    gatewayToken: signGatewayToken(o.secret, o.gatewayId),
    stats,
    connections: async () => {
      const res = await fetch(`${hub.url}/api/fleet`, { headers: { authorization: `Bearer ${viewer}` } });
      return ((await res.json()) as { totals: { connections: number } }).totals.connections;
    },
    restart: async (downMs) => {
      await shut();
      const old = stats();
      await sleep(downMs);
      await open();
      return old;
    },
    stop: async () => {
      await shut();
      tmp.remove();
    },
  };
}

/** The outage run's terminals (hub-outage.ts's fleet, no orders) on `gatewayUrl`. */
export function startRestartFleet(gatewayUrl: string, secret: string): Promise<Fleet> {
  return startFleet({
    gatewayUrl,
    secret,
    restaurants: OUTAGE_RESTAURANTS,
    terminals: { min: OUTAGE_TERMINALS_PER_RESTAURANT, max: OUTAGE_TERMINALS_PER_RESTAURANT },
    heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS,
    ordersPerTerminalPerMinute: 0,
    seed: 61,
    rampPerSec: 1000,
    backoff: { baseMs: 150, capMs: 600 },
    healthThresholds: { degradedAfterMs: 1000, unhealthyAfterMs: 3000 },
    tokenVia: 'query',
    welcome: false,
  });
}
