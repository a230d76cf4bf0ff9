/**
 * The real pipeline of an integration test in one call: a SQLite store in a temp folder, an
 * in-memory bus, a hub reading it, the reference gateway's bus probe and, with startHubWithGateway,
 * the reference gateway itself. Ticks and flushes are short so a test sees a change within a
 * few hundred milliseconds; everything started is torn down, last first, by the cleanups list
 * the test's afterEach runs.
 */
import { systemClock } from '../../../core/clock.ts';
import type { Bus } from '../../bus/bus.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createBusProbe, type BusProbe } from '../../gateway/bus-probe.ts';
import { startGateway, type Gateway } from '../../gateway/gateway.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { startHub, type Hub, type HubOptions } from '../hub.ts';

export type Cleanups = (() => Promise<void> | void)[];

export interface HubWithProbe {
  dir: string;
  store: Store;
  bus: Bus;
  hub: Hub;
  /** The reference gateway's probe on the bus; a test without a gateway drives it itself. */
  probe: BusProbe;
}

export interface HubWithGateway extends HubWithProbe {
  gateway: Gateway;
}

export interface HubWithProbeOptions {
  secret: string;
  gatewayId: string;
  /** Extra hub options (guards, limits). */
  hub?: Partial<HubOptions>;
  /** The probe's flush interval; default the probe's own. */
  probeFlushMs?: number;
}

export async function startHubWithProbe(o: HubWithProbeOptions, cleanups: Cleanups): Promise<HubWithProbe> {
  const tmp = makeTempDir(`pulse-${o.gatewayId}-`);
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  const bus = createMemoryBus();
  const hub = await startHub({
    secret: o.secret, port: 0, bus, store, recovered, staticDir: `${tmp.dir}/no-dist`,
    tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50, ...o.hub,
  });
  cleanups.push(() => hub.close());
  const probe = createBusProbe({ bus, gatewayId: o.gatewayId, clock: systemClock(), ...(o.probeFlushMs === undefined ? {} : { flushMs: o.probeFlushMs }) });
  cleanups.push(() => probe.stop());
  return { dir: tmp.dir, store, bus, hub, probe };
}

export async function startHubWithGateway(o: HubWithProbeOptions, cleanups: Cleanups): Promise<HubWithGateway> {
  const pipeline = await startHubWithProbe(o, cleanups);
  const gateway = await startGateway({ secret: o.secret, port: 0, probe: pipeline.probe });
  cleanups.push(() => gateway.close());
  return { ...pipeline, gateway };
}
