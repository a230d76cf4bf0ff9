/**
 * `pulse start --upstream ws://backend/ws`: Pulse watching a gateway it did not write, in one
 * process — the store, the hub, and `pulse proxy` in front of the gateway on the port terminals
 * would have used for the reference gateway (7401), its telemetry handed to the hub's ingest in
 * process (the same batches and code path as over `/ingest`, minus the socket). No reference
 * gateway, no simulator.
 *
 * Shutdown, front to back: the proxy closes every pair (1001 to terminals and upstream), its
 * ingest client hands over the last batch, the hub flushes, the store closes.
 */
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startHub, type Hub, type HubOptions } from '../hub/hub.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import { createIngestClient, type IngestClient } from '../probe/ingest-client.ts';
import { inProcessTransport } from '../probe/ingest-transports.ts';
import { createProxyTelemetry } from '../probe/proxy-telemetry.ts';
import { startProxy, type Proxy } from '../proxy/proxy-server.ts';
import type { MetricsListen } from '../gateway/metrics-listener.ts';
import { openChosenStore, type StoreChoice } from '../store/open-store.ts';
import type { RawEvent } from '../../protocol/ingest.ts';
import type { Store, StoreRecovery } from '../store/store.ts';

export interface WatchUpstreamOptions {
  secret: string;
  dataDir: string;
  /** Default: SQLite in dataDir. */
  store?: StoreChoice;
  /** The gateway to watch, e.g. ws://127.0.0.1:8000/ws. */
  upstream: string;
  /** The secret the upstream signs terminal tokens with: identities verified, opens shown at once. */
  upstreamSecret?: string;
  host?: string;
  port?: number;
  /** Where terminals connect (the proxy); default 7401. */
  gatewayPort?: number;
  /** Where the proxy serves GET /metrics (a listener of its own); none by default. */
  metricsListen?: MetricsListen;
  /** Default `proxy-<hostname>-<gatewayPort>`: stable across restarts, as de-duplication needs. */
  gatewayId?: string;
  staticDir?: string;
  heartbeatIntervalMs?: number;
  heartbeatGraceMs?: number;
  hub?: Partial<Pick<HubOptions, 'tickMs' | 'tickPhaseMs' | 'flushIntervalMs' | 'processMetrics' | 'allowedOrigins' | 'alerts' | 'maxPendingPerSource' | 'maxHeavyQueries'>>;
  /** Sees every raw event the proxy reports (tests: the exact samples behind the figures). */
  rawTap?: (event: RawEvent) => void;
  clock?: Clock;
  logger?: Logger;
}

export interface WatchingUpstream {
  readonly hub: Hub;
  readonly proxy: Proxy;
  readonly gatewayId: string;
  readonly ingest: IngestClient;
  readonly store: Store;
  readonly recovered: StoreRecovery;
  stop(): Promise<void>;
}

export async function startWatchingUpstream(o: WatchUpstreamOptions): Promise<WatchingUpstream> {
  const clock = o.clock ?? systemClock();
  const logger = o.logger ?? silentLogger();
  const { store, recovered } = await openChosenStore(o.store ?? { kind: 'sqlite' }, { dataDir: o.dataDir, clock });
  const undo: (() => Promise<unknown>)[] = [() => store.close()];
  try {
    const hub = await startHub({
      ...o.hub,
      secret: o.secret,
      host: o.host,
      port: o.port ?? 7400,
      bus: createMemoryBus(),
      store,
      recovered,
      clock,
      logger,
      staticDir: o.staticDir,
      ...(o.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: o.heartbeatIntervalMs } : {}),
      ...(o.heartbeatGraceMs !== undefined ? { heartbeatGraceMs: o.heartbeatGraceMs } : {}),
    });
    undo.unshift(() => hub.close());
    const gatewayPort = o.gatewayPort ?? 7401;
    const gatewayId = o.gatewayId ?? `proxy-${hostname()}-${gatewayPort || Math.random().toString(36).slice(2, 8)}`;
    // The client's reference is taken before the proxy exists; telemetry only pushes into it.
    let client: IngestClient | null = null;
    const tap = o.rawTap;
    const push = tap
      ? (e: RawEvent) => {
          tap(e);
          client?.push(e);
        }
      : (e: RawEvent) => client?.push(e);
    const telemetry = createProxyTelemetry({ push, ...(o.upstreamSecret ? { secret: o.upstreamSecret } : {}) });
    const ingest = createIngestClient({ gatewayId, clock, transport: inProcessTransport(hub.ingest, gatewayId), openConnections: () => telemetry.openConnections(), logger });
    client = ingest;
    undo.unshift(() => ingest.close(undefined, { goodbye: true }));
    const proxy = await startProxy({ upstream: o.upstream, host: o.host ?? '127.0.0.1', port: gatewayPort, observer: telemetry, logger, proxyId: gatewayId, ...(o.metricsListen ? { metricsListen: o.metricsListen } : {}) });
    undo.unshift(() => proxy.close());

    let stopping: Promise<void> | undefined;
    return {
      hub,
      proxy,
      gatewayId,
      ingest,
      store,
      recovered,
      stop: () =>
        (stopping ??= (async () => {
          let first: unknown;
          // Every step runs even if one before it failed: a store left open would claim a crash.
          for (const step of undo) {
            try {
              await step();
            } catch (error) {
              logger.error({ err: String(error) }, 'pulse: shutdown step failed');
              first ??= error;
            }
          }
          if (first !== undefined) throw first;
        })()),
    };
  } catch (error) {
    for (const step of undo) await step().catch(() => {});
    throw error;
  }
}
