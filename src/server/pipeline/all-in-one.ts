/**
 * The all-in-one composition behind `pulse start`: one process holding the store, an in-memory
 * bus, the hub, the reference gateway (its probe publishing onto the bus) and, unless turned off,
 * a simulated fleet. Tests run the same composition with compressed intervals, so what they
 * reconcile is what a user starts.
 *
 * Shutdown order is the pipeline's, front to back, so nothing is lost in between: the fleet closes
 * its terminals (1000), the gateway closes the rest (1001), the probe publishes its last frame, the
 * hub applies it and writes the open minute, and only then is the store closed (clean marker).
 */
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { ProbeEvent, ProbeSink } from '../../protocol/probe-events.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import { startGateway, type Gateway } from '../gateway/gateway.ts';
import { createBusProbe, type BusProbe, type FramePublisher } from '../gateway/bus-probe.ts';
import { startHub, type FrameSource, type Hub, type HubOptions } from '../hub/hub.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import type { TerminalsSpec } from '../sim/fleet-plan.ts';
import { startFleet, type Fleet, type FleetOptions } from '../sim/fleet.ts';
import type { Scenario } from '../sim/scenario.ts';
import { openChosenStore, type StoreChoice } from '../store/open-store.ts';
import type { Store, StoreRecovery } from '../store/store.ts';
import { createMemoryBus, type MemoryBusOptions } from '../bus/memory-bus.ts';

export interface AllInOneOptions {
  secret: string;
  dataDir: string;
  /** Default: SQLite in dataDir. */
  store?: StoreChoice;
  host?: string;
  /** Hub port; default 7400, 0 = any. */
  port?: number;
  /** Gateway port; default 7401, 0 = any. */
  gatewayPort?: number;
  /** Gateway id; default `gw-<hostname>-<gatewayPort>` (stable across restarts, as de-dup needs). */
  gatewayId?: string;
  staticDir?: string;
  /** Default 15000; tests compress it (the hub's figures and the fleet follow the same value). */
  heartbeatIntervalMs?: number;
  heartbeatGraceMs?: number;
  /** No simulated fleet when absent. */
  sim?: { restaurants: number; terminals: TerminalsSpec; scenario?: Scenario; scenarioSource?: string; seed?: number } & Partial<
    Pick<FleetOptions, 'rampPerSec' | 'backoff' | 'stableAfterMs' | 'onTruth' | 'truthPath' | 'progress' | 'progressEveryMs' | 'log' | 'ordersPerTerminalPerMinute'>
  >;
  /** Make the in-memory bus misbehave as Redis can (duplicate or drop frames): tests of de-dup and loss. */
  busFaults?: MemoryBusOptions['faults'];
  /** Sees every probe event as the gateway emits it (tests: the exact samples behind the figures). */
  probeTap?: (event: ProbeEvent) => void;
  hub?: Partial<Pick<HubOptions, 'tickMs' | 'tickPhaseMs' | 'flushIntervalMs' | 'live' | 'processMetrics' | 'allowedOrigins' | 'backoff' | 'stableAfterMs' | 'alerts' | 'maxPendingPerSource' | 'maxHeavyQueries'>>;
  clock?: Clock;
  logger?: Logger;
}

export interface AllInOne {
  readonly hub: Hub;
  readonly gateway: Gateway;
  readonly probe: BusProbe;
  readonly fleet: Fleet | undefined;
  readonly store: Store;
  readonly recovered: StoreRecovery;
  /** Every frame the bus carried (tests: the probe's view, to reconcile against). */
  onFrame(handler: (frame: TelemetryFrame) => void): () => void;
  /** Front to back: fleet, gateway (1001), probe's last frame, hub (flush), store (clean marker). */
  stop(): Promise<void>;
}

export async function startAllInOne(o: AllInOneOptions): Promise<AllInOne> {
  const clock = o.clock ?? systemClock();
  const logger = o.logger ?? silentLogger();
  const heartbeatIntervalMs = o.heartbeatIntervalMs ?? 15_000;
  const { store, recovered } = await openChosenStore(o.store ?? { kind: 'sqlite' }, { dataDir: o.dataDir, clock });
  const bus: FramePublisher & FrameSource = createMemoryBus({
    onHandlerError: (error) => logger.error({ err: String(error) }, 'bus: a subscriber threw'),
    ...(o.busFaults ? { faults: o.busFaults } : {}),
  });

  const started: (() => Promise<void>)[] = [];
  const undo = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
  };
  started.push(() => store.close());
  try {
    const hub = await startHub({
      ...o.hub,
      secret: o.secret,
      host: o.host,
      port: o.port ?? 7400,
      bus,
      store,
      recovered,
      clock,
      logger,
      staticDir: o.staticDir,
      // The fleet's rules, as the gateway and the simulator below are given them.
      heartbeatIntervalMs,
      ...(o.heartbeatGraceMs !== undefined ? { heartbeatGraceMs: o.heartbeatGraceMs } : {}),
      ...(o.sim?.backoff ? { backoff: o.sim.backoff } : {}),
      ...(o.sim?.stableAfterMs !== undefined ? { stableAfterMs: o.sim.stableAfterMs } : {}),
    });
    started.push(() => hub.close());

    const gatewayPort = o.gatewayPort ?? 7401;
    // The id must be known before the gateway starts (its probe is handed in), and stay stable
    // across restarts; with port 0 the chosen port is not known yet, so a random suffix stands in.
    const gatewayId = o.gatewayId ?? `gw-${hostname()}-${gatewayPort || Math.random().toString(36).slice(2, 8)}`;
    const probe = createBusProbe({ bus, gatewayId, clock, logger });
    started.push(() => probe.stop());
    const tap = o.probeTap;
    const sink: ProbeSink = tap
      ? {
          emit(event) {
            tap(event);
            probe.emit(event);
          },
        }
      : probe;
    const gatewayOptions = {
      secret: o.secret,
      host: o.host ?? '127.0.0.1',
      port: gatewayPort,
      gatewayId,
      heartbeatIntervalMs,
      ...(o.heartbeatGraceMs !== undefined ? { heartbeatGraceMs: o.heartbeatGraceMs } : {}),
      probe: sink,
      logger,
    };
    let gateway = await startGateway(gatewayOptions);
    const boundPort = gateway.port;
    started.push(() => gateway.close());

    let fleet: Fleet | undefined;
    if (o.sim) {
      const { restaurants, terminals, scenario, scenarioSource, seed, ...rest } = o.sim;
      fleet = await startFleet({
        ...rest,
        gatewayUrl: gateway.url,
        secret: o.secret,
        restaurants,
        terminals,
        heartbeatIntervalMs,
        clock,
        ...(scenario ? { scenario } : {}),
        ...(scenarioSource ? { scenarioSource } : {}),
        ...(seed !== undefined ? { seed } : {}),
        // A scenario's gateway restart: the same gateway, id and probe, down for a moment.
        restartGateway: async () => {
          await gateway.close();
          gateway = await startGateway({ ...gatewayOptions, port: boundPort });
        },
      });
      const f = fleet;
      started.push(async () => void (await f.stop()));
    }

    let stopping: Promise<void> | undefined;
    return {
      hub,
      get gateway() {
        return gateway;
      },
      probe,
      fleet,
      store,
      recovered,
      onFrame: (handler) => bus.subscribe(handler),
      stop: () =>
        (stopping ??= (async () => {
          // Every step runs even if one before it failed: a store left open would claim a crash.
          const steps: [string, () => Promise<unknown>][] = [
            ['fleet', async () => fleet?.stop()],
            ['gateway', () => gateway.close()],
            ['probe', () => probe.stop()],
            ['hub', () => hub.close()],
            ['store', () => store.close()],
          ];
          let first: unknown;
          for (const [name, step] of steps) {
            try {
              await step();
            } catch (error) {
              logger.error({ err: String(error), step: name }, 'pulse: shutdown step failed');
              first ??= error;
            }
          }
          if (first !== undefined) throw first;
        })()),
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
