/**
 * The reference POS gateway (DESIGN.md, "POS terminal ⇄ gateway protocol"): `ws://HOST:PORT/ws`
 * for terminals and plain HTTP `GET /healthz` on the same port; `GET /metrics` on a listener of
 * its own (`metricsListen`, src/server/gateway/metrics-listener.ts), never the terminals' port.
 *
 * Handshake rule: a bad token is not refused with a 401 (browsers see that as 1006 with no reason,
 * ws#1745); the upgrade is accepted and closed at once with 4001 "Invalid token". The token is
 * verified synchronously and every listener is attached in the same tick as the upgrade, so a
 * ping sent right after the handshake is answered, and one sent on a refused socket is not.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { hostname } from 'node:os';
import { WebSocketServer } from 'ws';
import type { ServerOptions, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.ts';
import { encodeMessage } from '../../protocol/codec.ts';
import { PulseError, closeReason } from '../../protocol/errors.ts';
import { posLimits } from '../../protocol/pos-messages.ts';
import type { OrderPayload } from '../../protocol/pos-messages.ts';
import type { ProbeEvent, ProbeEventOf, ProbeSink } from '../../protocol/probe-events.ts';
import { verifyTerminalToken } from '../auth/tokens.ts';
import { redactUrl, silentLogger } from '../log/logger.ts';
import type { Logger } from '../log/logger.ts';
import { createGatewayMetrics } from './gateway-metrics.ts';
import { guardHandshakes } from '../http/server-timeouts.ts';
import { pathOf, selectProtocol, tokenOf } from './handshake.ts';
import { startHeartbeatWatchdog, sweepPeriodMs } from './heartbeat-watchdog.ts';
import type { Watchdog } from './heartbeat-watchdog.ts';
import { RestaurantRooms } from './restaurant-rooms.ts';
import { TerminalConnection } from './terminal-connection.ts';
import type { ConnectionContext } from './terminal-connection.ts';
import { sendError, startMetricsListener } from './metrics-listener.ts';
import type { MetricsListen } from './metrics-listener.ts';

export interface GatewayOptions {
  secret: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7401; 0 = ephemeral (read the chosen one from `gateway.port`). */
  port?: number;
  /** Unique and stable across restarts; default `gw-${hostname}-${port}` (PITFALLS: multi-server ids). */
  gatewayId?: string;
  /** Default 15000. */
  heartbeatIntervalMs?: number;
  /** Default 5000 — a connection with no ping for 2 intervals + grace is dead. */
  heartbeatGraceMs?: number;
  /** Default 65536; larger frames close with 1009. */
  maxFrameBytes?: number;
  /** Per connection token bucket; default 40 messages, refilled at 20 per second. */
  rateLimit?: { capacity: number; refillPerSec: number };
  /** null/undefined = probe off (no events built at all). */
  probe?: ProbeSink | null;
  /** Emit a `traffic` probe event per message in and out; default true (only when a probe is set). */
  probeTraffic?: boolean;
  /** Add Node process metrics (CPU, memory, event loop) to /metrics; the CLI turns this on. */
  processMetrics?: boolean;
  /** Default: a logger that writes nothing. */
  logger?: Logger;
  /** A connection whose upgrade headers are not complete by then is dropped; default 5000. */
  headersTimeoutMs?: number;
  /** Connections one source address may have waiting for their upgrade at once; default 256 (server-timeouts.ts). */
  maxPendingPerSource?: number;
  /**
   * Where `/metrics` is served over HTTP: its own listener (it names every restaurant, so never the
   * terminals' port). Absent: not served over HTTP (`metricsText()` still reads it).
   */
  metricsListen?: MetricsListen;
}

export interface Gateway {
  readonly id: string;
  readonly port: number;
  /** ws://host:port/ws */
  readonly url: string;
  /** http://host:port/metrics of the metrics listener; null when none was asked for. */
  readonly metricsUrl: string | null;
  connectionCount(): number;
  metricsText(): Promise<string>;
  /** Broadcast an order update to one restaurant (also used by tests/sim). Returns the restaurant seq. */
  broadcastOrder(restaurantId: string, order: OrderPayload): number;
  /** 1001 to everyone, then stop listening. Idempotent. */
  close(): Promise<void>;
}

/** 40 messages at once, 20 per second sustained: a terminal sends a ping per 15 s and a few orders. */
const defaultRateLimit = { capacity: 40, refillPerSec: 20 };

/** How long a shutting-down gateway waits for terminals to answer its close frame before terminating them. */
const shutdownGraceMs = 2000;

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger();
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? posLimits.heartbeatIntervalMs;
  const heartbeatGraceMs = options.heartbeatGraceMs ?? posLimits.heartbeatGraceMs;
  const now = () => Date.now();

  const server = createServer();
  const handshakes = guardHandshakes(server, options.headersTimeoutMs, options.maxPendingPerSource !== undefined ? { maxPendingPerSource: options.maxPendingPerSource } : {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A fleet reconnecting after a restart arrives at once; Node's default backlog (511) resets the overflow.
    server.listen({ port: options.port ?? 7401, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Near the file-descriptor limit accept() fails with EMFILE and the server emits 'error': without
  // a listener that would crash a gateway holding thousands of healthy terminals.
  server.on('error', (error) => logger.error({ err: error }, 'server error (accept failed?)'));
  const port = (server.address() as AddressInfo).port;
  const id = options.gatewayId ?? `gw-${hostname()}-${port}`;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}/ws`;
  const metrics = createGatewayMetrics(id, { processMetrics: options.processMetrics ?? false, handshakeTimeouts: () => handshakes.dropped(), handshakeRefusals: () => handshakes.refused() });
  const probe = options.probe ?? null;

  // `closeTimeout` exists in the ws we pin (8.23) but not in @types/ws, hence the widened type.
  const wssOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: options.maxFrameBytes ?? posLimits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: selectProtocol,
    // A peer that never answers our close frame (4001, 1008, 1001) is dropped after this, not 30 s.
    closeTimeout: shutdownGraceMs,
  };
  const wss = new WebSocketServer(wssOptions);

  const connections = new Set<TerminalConnection>();
  const refused = new Set<WebSocket>();
  const rooms = new RestaurantRooms<TerminalConnection>();
  // Connection ids are unique on this gateway across restarts: start time, then a counter.
  const connBase = Date.now().toString(36);
  let connCounter = 0;
  let closing: Promise<void> | null = null;
  let drained: (() => void) | null = null;

  const emit = (event: ProbeEvent): void => {
    try {
      probe?.emit(event);
    } catch (error) {
      logger.warn({ err: error, type: event.type }, 'probe sink failed');
    }
  };

  const broadcastOrder = (restaurantId: string, order: OrderPayload): number => {
    const t = now();
    const sent = rooms.broadcast(restaurantId, (seq) => encodeMessage({ type: 'order', seq, timestamp: t, restaurantId, order }), t);
    metrics.messageOut(sent.bytes, sent.delivered);
    return sent.seq;
  };

  let watchdog: Watchdog | null = null;
  const ctx: ConnectionContext = {
    gatewayStalled: (t) => watchdog?.stalled(t) ?? false,
    gatewayId: id,
    heartbeatIntervalMs,
    heartbeatGraceMs,
    rateLimit: options.rateLimit ?? defaultRateLimit,
    probe,
    probeTraffic: options.probeTraffic ?? true,
    metrics,
    rooms,
    logger,
    now,
    broadcastOrder,
    closed(connection) {
      connections.delete(connection);
      rooms.leave(connection.restaurantId, connection);
      if (drained && connections.size === 0) drained();
    },
  };

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    const t = now();
    const { token, via } = tokenOf(req);
    const verified = verifyTerminalToken(options.secret, token);
    if (!verified.ok) {
      // rid/tid here are unverified claims: logged as data to help support find the terminal.
      logger.info({ reason: verified.reason, rid: verified.rid, tid: verified.tid, via, url: redactUrl(req.url), remote: req.socket.remoteAddress }, 'token refused');
      // Nothing is processed: no message listener, never counted as a connection.
      ws.on('error', () => {});
      refused.add(ws);
      ws.once('close', () => refused.delete(ws));
      metrics.authFailed(verified.reason, req.socket.remoteAddress);
      if (probe) {
        // The claims label the failure; they never place it in a restaurant (probe-events.ts).
        const event: ProbeEventOf<'auth_fail'> = { type: 'auth_fail', gw: id, t, reason: verified.reason };
        if (verified.rid) event.claimedRid = verified.rid.slice(0, 64);
        if (verified.tid) event.claimedTid = verified.tid.slice(0, 64);
        emit(event);
      }
      const error = new PulseError('TOKEN_INVALID');
      ws.close(error.closeCode, closeReason(error));
      return;
    }
    const { sub, rid } = verified.claims;
    const connId = `${connBase}-${(++connCounter).toString(36)}`;
    const connection = new TerminalConnection(ctx, ws, rid, sub, connId, t);
    connections.add(connection);
    rooms.join(rid, connection);
    metrics.connectionOpened(rid);
    logger.debug({ conn: connId, rid, tid: sub, via, url: redactUrl(req.url), remote: req.socket.remoteAddress }, 'terminal connected');
    if (probe) emit({ type: 'open', gw: id, t, rid, tid: sub, conn: connId, via, heartbeatIntervalMs, heartbeatGraceMs });
    connection.send({ type: 'welcome', seq: 0, timestamp: t, terminalId: sub, restaurantId: rid, heartbeatIntervalMs, gatewayId: id });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    if (pathOf(req.url) !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, onConnection);
  });

  // `/metrics` is not here: it names every restaurant (see metrics-listener.ts).
  const serveHttp = (req: IncomingMessage, res: ServerResponse): void => {
    const path = pathOf(req.url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new PulseError('METHOD_NOT_ALLOWED'));
    if (path === '/healthz') {
      res.writeHead(closing ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: closing ? 'closing' : 'ok', gateway: id, connections: connections.size }));
      return;
    }
    if (path === '/ws') return sendError(res, new PulseError('UPGRADE_REQUIRED'));
    sendError(res, new PulseError('NOT_FOUND'));
  };
  server.on('request', serveHttp);

  let metricsListener: Awaited<ReturnType<typeof startMetricsListener>> | null = null;
  if (options.metricsListen) {
    try {
      metricsListener = await startMetricsListener(options.metricsListen, { text: () => metrics.text(), contentType: metrics.registry.contentType }, logger);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Its own message: the caller's "port in use" advice is about the terminals' port.
      const where = `${options.metricsListen.host ?? '127.0.0.1'}:${options.metricsListen.port}`;
      throw new Error(`cannot serve metrics on ${where}: ${(error as Error).message} (choose another with --metrics-listen)`, { cause: error });
    }
  }

  const periodMs = sweepPeriodMs(heartbeatGraceMs);
  watchdog = startHeartbeatWatchdog(connections, {
    periodMs,
    // A gap of a whole interval (and of several sweeps) is no timer jitter.
    stallMs: Math.max(heartbeatIntervalMs, 4 * periodMs),
    now,
    onStall(gapMs) {
      metrics.stalled();
      logger.warn({ gapMs, connections: connections.size }, 'gateway stalled (event loop did not run): every terminal gets a fresh heartbeat deadline');
    },
  });
  logger.info({ gateway: id, url, metrics: metricsListener?.url ?? null, heartbeatIntervalMs }, 'gateway listening');

  const close = (): Promise<void> => {
    closing ??= (async () => {
      watchdog?.stop();
      const error = new PulseError('SHUTTING_DOWN');
      const allClosed = new Promise<void>((resolve) => {
        drained = resolve;
        if (connections.size === 0) resolve();
      });
      for (const c of connections) c.closeWith(CloseCode.goingAway, closeReason(error), 'going_away');
      for (const ws of refused) ws.terminate();
      // ws drops silent peers after closeTimeout; this bound only guards against a bug there.
      const fallback = setTimeout(() => {
        for (const c of connections) c.terminate();
      }, shutdownGraceMs + 500);
      await allClosed;
      clearTimeout(fallback);
      wss.close();
      await metricsListener?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      logger.info({ gateway: id }, 'gateway closed');
    })();
    return closing;
  };

  return {
    id,
    port,
    url,
    metricsUrl: metricsListener?.url ?? null,
    connectionCount: () => connections.size,
    metricsText: () => metrics.text(),
    broadcastOrder,
    close,
  };
}
