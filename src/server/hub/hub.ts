/**
 * The hub (DESIGN.md, "The pipeline"): reads telemetry frames from the bus into the live fleet
 * state, writes settled restaurant-minutes and lifecycle events to the store through the write
 * queue (off the live path), and serves one HTTP port: `/live` (the dashboard stream), `/api` (REST,
 * docs/api.md), `/ingest` (the open telemetry ingest, docs/telemetry.md), `/metrics`, `/healthz`,
 * and the built SPA with an index.html fallback.
 *
 *   const { store, recovered } = await openSqliteStore({ dataDir });
 *   const hub = await startHub({ secret, bus, store, recovered });
 *   …
 *   await hub.close();   // viewers get 1001, the open minute and the queue are flushed
 *   await store.close(); // marks the clean shutdown (the store's owner closes it)
 *
 * Every figure comes from src/core through the fleet state; this file only wires. Reading the bus
 * and writing the store is hub-ingest.ts; everything a restart changes (a crash report, over Redis
 * resuming without a gap) is resume/, called once here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { BackoffPolicy } from '../../core/backoff.ts';
import { timelinePolicy } from '../../core/timeline/timeline-policy.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import { startRetentionJob } from '../store/retention-job.ts';
import { DAY_MS, type Store, type StoreRecovery } from '../store/store.ts';
import { createApi } from './api/api-routes.ts';
import type { RestaurantDirectory } from '../../core/directory/restaurant-directory.ts';
import type { DirectoryEditor } from '../directory/directory-edit.ts';
import { sendError, sendJson } from './http/respond.ts';
import { PulseError } from '../../protocol/errors.ts';
import { createStaticHandler } from './http/static-files.ts';
import { createHubFleet } from './hub-fleet.ts';
import type { FrameSource } from './frame-source.ts';
import { startIngest } from './hub-ingest.ts';
import { createHubMetrics } from './hub-metrics.ts';
import { resumeHub } from './resume/hub-resume.ts';
import { createLiveServer, type LiveServer, type LiveServerOptions } from './live/live-server.ts';
import { createIngestService, type IngestService } from './ingest/ingest-service.ts';
import { createIngestEndpoint } from './ingest/ingest-endpoint.ts';
import { posLimits } from '../../protocol/pos-messages.ts';
import { ingestPath } from '../../protocol/ingest.ts';
import { guardHandshakes } from '../http/server-timeouts.ts';
import { counterKey } from '../../core/rollup.ts';
import { startHubAlerts, type AlertsOptions, type AlertsService } from '../alerts/hub-alerts.ts';

export type { FrameSource, ReplayableFrameSource } from './frame-source.ts';

export interface HubOptions {
  secret: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7400; 0 = any free port (read `hub.port`). */
  port?: number;
  bus: FrameSource;
  store: Store;
  /** What the store found about the previous run (openSqliteStore's `recovered`): a crash is reported loudly. */
  recovered?: StoreRecovery;
  clock?: Clock;
  logger?: Logger;
  /** The built SPA; default `dist`. Missing: a page says how to build it. */
  staticDir?: string;
  /** Browser origins allowed on `/live`; default this hub's own (`http://host:port`, and localhost for 127.0.0.1). */
  allowedOrigins?: readonly string[];
  /** The stream's tick; default 1000. */
  tickMs?: number;
  /**
   * Ticks fall this many ms after each multiple of `tickMs` (default 20): probes flush on whole
   * seconds, so a tick just after shows what they sent within one tick. null: tick from start
   * (tests on a fake clock).
   */
  tickPhaseMs?: number | null;
  /**
   * The write queue's batch interval: the lifecycle events a kill -9 can lose (the minutes not yet
   * settled are lost whole: resume/crash-recovery.ts; over Redis both are replayed). Default 1000.
   */
  flushIntervalMs?: number;
  /** How long the start waits for a replay of the bus to catch up before serving anyway (default 15000). */
  replayWaitMs?: number;
  /** Extra options for the stream (history size, buffers, heartbeat). */
  live?: Partial<Omit<LiveServerOptions, 'secret' | 'source' | 'clock' | 'tickMs' | 'logger' | 'allowedOrigins'>>;
  /** Node process metrics on /metrics; the CLI turns this on. */
  processMetrics?: boolean;
  /**
   * The heartbeat the gateways ask of terminals (DESIGN.md: 15 s) and its grace (5 s); compressed
   * in tests. Expected heartbeats (heartbeat success) follow them.
   */
  heartbeatIntervalMs?: number;
  heartbeatGraceMs?: number;
  /** A gateway with no frame for this long (and no goodbye) is lost; default 15000 (core/fleet-state.ts). Compressed in tests. */
  gatewayTimeoutMs?: number;
  /** The terminals' reconnect policy (default 2 s → 64 s, attempts reset after 15 s up): the terminal view judges by it. */
  backoff?: Partial<BackoffPolicy>;
  stableAfterMs?: number;
  /** A connection whose request headers are not complete by then is dropped; default 5000. */
  headersTimeoutMs?: number;
  /** Connections per source address that may wait for their first request at once; default 256 (server-timeouts.ts). */
  maxPendingPerSource?: number;
  /** Heavy API queries (series or stability review over a day) that may run at once; beyond, 503 QUERY_BUSY; default 2 (series-limit.ts). */
  maxHeavyQueries?: number;
  /** Alert rules (docs/alerts.md): the `--alerts-file`, watched; none = no alerting. */
  alerts?: AlertsOptions;
  /** The restaurant directory in force (`--restaurants-file`, docs/stability.md); none = ids only, open all day. */
  directory?: () => RestaurantDirectory;
  /** Engineers' directory edits, written back to the restaurants file; none = the directory is read-only. */
  directoryEditor?: DirectoryEditor;
}

export interface Hub {
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  readonly live: LiveServer;
  /** The open ingest: `/ingest` feeds it; `pulse start --upstream` hands its proxy's batches to it in process. */
  readonly ingest: IngestService;
  /** Present when started with `alerts`. */
  readonly alerts?: AlertsService;
  metricsText(): Promise<string>;
  /** Stops reading the bus, closes viewers with 1001, writes the open minute and flushes the queue. */
  close(): Promise<void>;
}

const EXPECTED_WINDOW_MS = 7 * DAY_MS;
/** FleetState counts refused tokens here, fleet-wide only (src/core/fleet-state.ts). */
const refusedTokenKey = counterKey.errors('auth_failed');

export async function startHub(o: HubOptions): Promise<Hub> {
  const clock = o.clock ?? systemClock();
  const logger = o.logger ?? silentLogger();
  const host = o.host ?? '127.0.0.1';
  const tickMs = o.tickMs ?? 1000;
  const flushIntervalMs = o.flushIntervalMs ?? 1000;
  const hubId = `hub-${randomBytes(4).toString('hex')}`;

  // What the store knows from the runs before: expected terminals, a crash, a bus to resume.
  const heartbeat = { ...(o.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: o.heartbeatIntervalMs } : {}), ...(o.heartbeatGraceMs !== undefined ? { heartbeatGraceMs: o.heartbeatGraceMs } : {}) };
  const fleet = createHubFleet({ clock, state: { ...heartbeat, ...(o.gatewayTimeoutMs !== undefined ? { gatewayTimeoutMs: o.gatewayTimeoutMs } : {}) } });
  const resume = await resumeHub({ bus: o.bus, store: o.store, fleet, clock, logger, recovered: o.recovered, flushIntervalMs, since: clock.now() - EXPECTED_WINDOW_MS });
  // Alerts: a bad rules file fails the start before anything listens. `url` and `ingest` are read
  // only once a tick evaluates the rules, after both exist.
  const alerts = o.alerts ? await startHubAlerts(o.alerts, { fleet, clock, logger, hubId, hubUrl: () => url, storeFailing: () => ingest.queue.stats().consecutiveFailures > 0, ...(o.directory ? { directory: o.directory } : {}) }) : undefined;

  // Listen first: a port in use fails the start before anything else is running. Until the stream
  // and the API are wired (a bus replay can take seconds), requests and upgrades are answered 503
  // STARTING: one left unanswered hangs its client — a dashboard's socket stayed CONNECTING past
  // the hub's start, never to retry (the hub-restart e2e spec, 1 run in 4).
  const server = createServer();
  const handshakes = guardHandshakes(server, o.headersTimeoutMs, o.maxPendingPerSource !== undefined ? { maxPendingPerSource: o.maxPendingPerSource } : {});
  let serve: { request: (req: IncomingMessage, res: ServerResponse) => void; upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void } | null = null;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (serve) serve.request(req, res);
    else sendError(res, new PulseError('STARTING'));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    if (serve) serve.upgrade(req, socket, head);
    else socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 7400, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  // The open ingest answers busy while the store is backed up: probes resend later, nothing is dropped.
  let storeBackedUp = () => false;
  const probeIngest = createIngestService({
    clock,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? posLimits.heartbeatIntervalMs,
    heartbeatGraceMs: o.heartbeatGraceMs ?? posLimits.heartbeatGraceMs,
    busy: () => storeBackedUp(),
  });
  const ingest = await startIngest({ bus: o.bus, store: o.store, fleet, clock, logger, flushIntervalMs, replay: resume.replay, extraSources: [probeIngest] });
  storeBackedUp = () => ingest.queue.stats().backlog;
  const ingestEndpoint = createIngestEndpoint({ secret: o.secret, service: probeIngest, logger });
  // The first snapshot a viewer gets should show the fleet, not half a replay.
  await resume.replayed(o.replayWaitMs ?? 15_000);
  let closing = false;

  // ---- the stream ----------------------------------------------------------------------------
  const allowedOrigins = o.allowedOrigins ?? (host === '127.0.0.1' ? [url, `http://localhost:${port}`] : [url]);

  const phase = o.tickPhaseMs === undefined ? 20 : o.tickPhaseMs;
  if (phase !== null) {
    const now = clock.now();
    const wait = (((phase - now) % tickMs) + tickMs) % tickMs;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
  }
  const live = createLiveServer({
    ...o.live,
    secret: o.secret,
    clock,
    tickMs,
    logger,
    allowedOrigins,
    source: {
      sample: (now) => {
        const sample = fleet.sample(now);
        alerts?.observe(now, sample.restaurants);
        return sample;
      },
      drainLifecycle: () => ingest.drainLive(),
      terminalRestaurants: (tid) => fleet.view.terminalRestaurants(tid),
    },
  });

  // ---- HTTP ----------------------------------------------------------------------------------
  const metrics = createHubMetrics({
    hubId,
    gateways: () => fleet.gateways(),
    writeQueue: () => ingest.queue.stats(),
    refusedWrites: () => ingest.refusedWrites(),
    fleet: () => fleet.counts(),
    live,
    ingest: { stats: () => probeIngest.stats(), probes: () => ingestEndpoint.probes() },
    handshakeTimeouts: () => handshakes.dropped(),
    handshakeRefusals: () => handshakes.refused(),
    authFailures: () => fleet.state.unscoped.totals[refusedTokenKey] ?? 0,
    ...(alerts ? { alerts: () => alerts.firingByRule() } : {}),
    processMetrics: o.processMetrics ?? false,
  });
  const api = createApi({
    secret: o.secret,
    view: fleet.view,
    store: o.store,
    unwritten: ingest.unwritten,
    clock,
    logger,
    onAnswer: (route, status) => metrics.apiAnswered(route, status),
    policy: timelinePolicy({ heartbeatIntervalMs: o.heartbeatIntervalMs, heartbeatGraceMs: o.heartbeatGraceMs, stableAfterMs: o.stableAfterMs, backoff: o.backoff }),
    refusedTokens: (now) => ({ perMin: fleet.state.unscoped.view(now).counters[refusedTokenKey] ?? 0, sinceStart: fleet.state.unscoped.totals[refusedTokenKey] ?? 0 }),
    ...(alerts ? { alerts } : {}),
    ...(o.directory ? { directory: o.directory } : {}),
    ...(o.directoryEditor ? { directoryEditor: o.directoryEditor } : {}),
    ...(o.maxHeavyQueries !== undefined ? { maxHeavySeries: o.maxHeavyQueries } : {}),
  });
  const serveStatic = createStaticHandler(o.staticDir ?? 'dist');

  function health() {
    const q = ingest.queue.stats();
    const now = clock.now();
    const gateways = [...fleet.gateways()].map(([gw, s]) => ({ gw, state: s.state, lastFrameAgeMs: now - s.lastFrameAt, lost: s.lost }));
    const problems: string[] = [];
    if (q.backlog) problems.push('store write backlog');
    if (q.consecutiveFailures > 0) problems.push(`store writes failing (${q.lastError?.code ?? 'unknown'})`);
    // A gateway that said goodbye is silent on purpose: stopped, not a problem.
    for (const g of gateways) if (g.state !== 'stopped' && g.lastFrameAgeMs > 5 * tickMs) problems.push(`no frame from ${g.gw} for ${Math.round(g.lastFrameAgeMs / 1000)} s`);
    return {
      status: closing ? 'closing' : problems.length > 0 ? 'degraded' : 'ok',
      hub: hubId,
      epoch: live.epoch,
      viewers: live.stats().viewers,
      gateways,
      writeQueue: { queued: q.queued, backlog: q.backlog, consecutiveFailures: q.consecutiveFailures, lastFlushAt: q.lastFlushAt ?? null },
      problems,
    };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub.invalid');
    } catch {
      return sendError(res, new PulseError('BAD_REQUEST'));
    }
    const path = url.pathname;
    if (path === '/api' || path.startsWith('/api/')) return api(req, res, url);
    if (path === '/metrics') {
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(text);
      return;
    }
    if (path === '/healthz') {
      const h = health();
      return sendJson(res, h.status === 'closing' ? 503 : 200, h);
    }
    if (path === ingestPath) return ingestEndpoint.handleRequest(req, res);
    if (path === '/live') return sendError(res, new PulseError('UPGRADE_REQUIRED'));
    return serveStatic(req, res, path);
  }

  serve = {
    request(req, res) {
      onRequest(req, res).catch((error: unknown) => {
        logger.error({ err: String(error), path: req.url?.split('?')[0] }, 'hub: request failed');
        if (!res.headersSent) sendError(res, new PulseError('INTERNAL'));
        else res.destroy();
      });
    },
    upgrade(req, socket, head) {
      if (!live.handleUpgrade(req, socket, head) && !ingestEndpoint.handleUpgrade(req, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    },
  };

  const retention = startRetentionJob({ store: o.store, clock, logger });
  logger.info({ url, hub: hubId, epoch: live.epoch }, 'hub listening');

  let closed: Promise<void> | undefined;
  return {
    port,
    url,
    live,
    ingest: probeIngest,
    ...(alerts ? { alerts } : {}),
    metricsText: () => metrics.text(),
    close: () =>
      (closed ??= (async () => {
        closing = true;
        retention.stop();
        await live.close();
        await alerts?.close();
        await ingestEndpoint.close();
        // What the probes sent up to now becomes its last frames, applied before the ingest closes.
        probeIngest.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // The open minute is written as it stands: the next run's part of it merges in the store
        // (over Redis the checkpoint marks it sealed, so the replay adds only what came after).
        await ingest.close();
        logger.info({ hub: hubId }, 'hub closed; store flushed');
      })()),
  };
}
