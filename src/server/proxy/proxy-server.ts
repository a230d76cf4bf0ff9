/**
 * `pulse proxy`'s transport: a transparent WebSocket reverse proxy in front of a gateway Pulse did
 * not write (DESIGN.md, "Ways in"). Terminals connect to it instead of the gateway and nothing else
 * changes: the upgrade (path, query, subprotocols, end-to-end headers), every frame and every close
 * pass unchanged both ways. What it sees goes to an optional observer; `GET /healthz` is served on
 * the same port, `GET /metrics` on a listener of its own (`metricsListen`), never the terminals'.
 *
 * The upstream is dialled first and the terminal's handshake answered after, with the protocol the
 * upstream selected and its end-to-end 101 headers; then both sockets carry raw frames, relayed as
 * read (proxy-pair.ts), with no ws parser or sender in the way. When the upstream is down, refuses
 * the upgrade or stalls, the terminal is accepted and closed with 1014 and a reason: a refused
 * upgrade reaches a browser as 1006 with no reason at all (ws#1745), and a terminal deserves to
 * know it was the gateway, not its token.
 */
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { hostname } from 'node:os';
import { WebSocketServer } from 'ws';
import type { ServerOptions, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.ts';
import { pathOf } from '../gateway/handshake.ts';
import { guardHandshakes } from '../http/server-timeouts.ts';
import { redactUrl, silentLogger } from '../log/logger.ts';
import type { Logger } from '../log/logger.ts';
import { closeFrame } from './frame-scanner.ts';
import { guardObserver } from './guarded-observer.ts';
import { throttleLog } from './log-throttle.ts';
import { startMetricsListener, type MetricsListen, type MetricsListener } from '../gateway/metrics-listener.ts';
import { httpHandler } from './proxy-http.ts';
import { createProxyMetrics } from './proxy-metrics.ts';
import type { ProxyObserver, ConnectionObserver } from './proxy-observer.ts';
import { ProxyPair } from './proxy-pair.ts';
import type { PairContext } from './proxy-pair.ts';
import { writeSwitchingProtocols } from './terminal-handshake.ts';
import { holdTerminal } from './terminal-hold.ts';
import { connectUpstream } from './upstream-connect.ts';
import type { UpstreamResult } from './upstream-connect.ts';
import { displayUpstream, forwardedHeaders, localAnswer, offeredProtocols, tokenOfUpgrade, upgradeProblem, upstreamUrlFor } from './upstream-request.ts';

export interface ProxyOptions {
  /** ws://host:port[/path] */
  upstream: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7401; 0 = any free port. */
  port?: number;
  /** Default 16 MiB: the upstream enforces its own limits (its 1009 is forwarded). */
  maxFrameBytes?: number;
  /** Per direction backpressure threshold; default 1 MiB. */
  highWaterBytes?: number;
  /** Connect + handshake deadline to the upstream; default 5000. */
  upstreamTimeoutMs?: number;
  observer?: ProxyObserver;
  /** Tokens are never logged: URLs go through redactUrl, headers are never logged. */
  logger?: Logger;
  /** Default `px-${hostname}-${port}`. */
  proxyId?: string;
  /** Add Node process metrics (CPU, memory, event loop) to /metrics; the CLI turns this on. */
  processMetrics?: boolean;
  /** A connection whose upgrade headers are not complete by then is dropped; default 5000. */
  headersTimeoutMs?: number;
  /**
   * Where `GET /metrics` is served: a listener of its own, as the gateway's (issue 18, item 13),
   * never the terminals' port. None: only `metricsText()`.
   */
  metricsListen?: MetricsListen;
}

export interface Proxy {
  readonly id: string;
  readonly port: number;
  /** ws://host:port */
  readonly url: string;
  connectionCount(): number;
  metricsText(): Promise<string>;
  /** http://host:port/metrics on `metricsListen`; null without one. */
  readonly metricsUrl: string | null;
  /** Every pair closed with 1001 on both legs, then stop listening. Idempotent. */
  close(): Promise<void>;
}

/** How long a leg may take to answer the proxy's close frame before it is dropped (ws waits 30 s). */
const closeTimeoutMs = 2000;

interface Dial {
  /** Stop dialling the upstream and close the terminal with 1001 (shutdown). */
  abort(): void;
}
const shuttingDown = 'proxy shutting down';

/**
 * For 'error' listeners that only keep a socket's errors from throwing. Module-level on purpose: an
 * arrow written inside the upgrade handler would keep that handler's whole scope (the request, its
 * headers and token) alive as long as the socket lives.
 */
const ignore = (): void => {};

export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  const upstream = new URL(o.upstream);
  if (upstream.protocol !== 'ws:' && upstream.protocol !== 'wss:') throw new Error(`upstream must be a ws:// or wss:// URL, got ${upstream.protocol}`);
  const host = o.host ?? '127.0.0.1';
  const logger = o.logger ?? silentLogger();
  const maxPayload = o.maxFrameBytes ?? 16 * 2 ** 20;
  const highWaterBytes = o.highWaterBytes ?? 2 ** 20;
  const limits = { timeoutMs: o.upstreamTimeoutMs ?? 5000, maxPayload, closeTimeoutMs };
  const now = () => Date.now();

  const server = createServer();
  // A half-sent upgrade would otherwise hold a descriptor for a minute (src/server/http/server-timeouts.ts).
  const handshakes = guardHandshakes(server, o.headersTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A fleet reconnecting after a restart arrives at once; Node's default backlog (511) resets the overflow.
    server.listen({ port: o.port ?? 7401, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Near the descriptor limit accept() fails with EMFILE and the server emits 'error': without a
  // listener that would crash a proxy carrying thousands of healthy pairs.
  server.on('error', (error) => logger.error({ err: error }, 'server error (accept failed?)'));
  const port = (server.address() as AddressInfo).port;
  const id = o.proxyId ?? `px-${hostname()}-${port}`;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const pairs = new Set<ProxyPair>();
  /** Upgrades waiting for the upstream: aborted on shutdown. */
  const dialling = new Set<Dial>();
  /** Terminals accepted only to be closed (1014, or 1001 while dialling at shutdown). */
  const refusing = new Set<WebSocket>();
  let closing: Promise<void> | null = null;
  let drained: (() => void) | null = null;
  const checkDrained = (): void => {
    if (drained && pairs.size === 0 && refusing.size === 0) drained();
  };

  const metrics = createProxyMetrics(
    id,
    {
      connections: () => pairs.size,
      handshakeTimeouts: () => handshakes.dropped(),
      bufferedBytes: () => {
        let n = 0;
        for (const p of pairs) n += p.bufferedBytes();
        return n;
      },
    },
    { processMetrics: o.processMetrics ?? false },
  );
  const observers = guardObserver(o.observer, logger, () => metrics.observerError());
  const refusalLog = throttleLog();
  const connBase = Date.now().toString(36);
  let connCounter = 0;

  // ws answers only the terminals the proxy closes at once (1014, shutdown); a pair's 101 is the proxy's own (terminal-handshake.ts).
  // `closeTimeout` and `autoPong` exist in the ws we pin (8.23); closeTimeout is missing from @types/ws.
  const wssOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    autoPong: false,
    skipUTF8Validation: true,
    // Never ws's default (the first offered protocol: `bearer.<jwt>`, a token in a response header).
    handleProtocols: (offered) => localAnswer(offered),
    closeTimeout: closeTimeoutMs,
  };
  const wss = new WebSocketServer(wssOptions);

  const pairContext: PairContext = {
    metrics,
    logger,
    highWaterBytes,
    maxPayload,
    closeTimeoutMs,
    now,
    ended(pair) {
      pairs.delete(pair);
      checkDrained();
    },
  };

  /** Accept the terminal and close it at once: it learns why, a browser included. */
  const acceptAndClose = (req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string, observer: ConnectionObserver): void => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', ignore);
      refusing.add(ws);
      ws.once('close', () => {
        refusing.delete(ws);
        checkDrained();
      });
      ws.close(code, reason);
    });
    metrics.closed(code, 'proxy');
    observer.closed(now(), code, reason, 'proxy');
  };

  const onUpstream = (req: IncomingMessage, socket: Duplex, head: Buffer, result: UpstreamResult, observer: ConnectionObserver, conn: string): void => {
    if (!result.ok) {
      metrics.upstreamFailed(result.kind);
      refusalLog((notLoggedSinceLast) =>
        logger.warn({ conn, kind: result.kind, status: result.status, detail: result.detail, url: redactUrl(req.url), notLoggedSinceLast }, 'upstream did not take the upgrade; closing the terminal with 1014'),
      );
      acceptAndClose(req, socket, head, CloseCode.badGateway, result.reason, observer);
      return;
    }
    const upstreamSocket = result.socket;
    if (closing) {
      upstreamSocket.end(closeFrame(CloseCode.goingAway, shuttingDown, true, () => randomBytes(4).readUInt32BE(0)));
      // Read (and drop) its answer, so its FIN is seen and the socket closes.
      upstreamSocket.resume();
      acceptAndClose(req, socket, head, CloseCode.goingAway, shuttingDown, observer);
      return;
    }
    // Within the upstream's 'open' tick: what it sent with its 101 waits in its (paused) socket.
    if (writeSwitchingProtocols(socket, req.headers['sec-websocket-key']!, result.protocol, result.headers)) {
      observer.opened(now(), result.protocol);
      // The pair's own 'error' listeners replace these no-ops.
      socket.off('error', ignore);
      upstreamSocket.off('error', ignore);
      pairs.add(new ProxyPair(pairContext, conn, socket as Socket, upstreamSocket, observer, head));
      logger.debug({ conn, path: pathOf(req.url), protocol: result.protocol, remote: req.socket.remoteAddress }, 'pair opened');
      return;
    }
    // The terminal half-closed or left while the upstream was dialled.
    socket.destroy();
    upstreamSocket.destroy();
    metrics.abandoned();
    observer.closed(now(), CloseCode.abnormal, '', 'terminal');
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignore);
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const problem = upgradeProblem(req);
    if (problem) {
      socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(problem.message)}\r\n\r\n${problem.message}`);
      return;
    }
    const t = now();
    const conn = `${connBase}-${(++connCounter).toString(36)}`;
    const remoteAddress = req.socket.remoteAddress ?? '';
    const { token, via } = tokenOfUpgrade(req);
    const observer = observers.upgrade({ conn, t, path: pathOf(req.url), token, via, remoteAddress });
    metrics.upgrade();

    const request = {
      url: upstreamUrlFor(upstream, req.url ?? '/'),
      protocols: offeredProtocols(req.headers['sec-websocket-protocol']) ?? [],
      headers: forwardedHeaders(req.headers, remoteAddress),
    };
    const hold = holdTerminal(socket, head, () => {
      dialling.delete(dial);
      stopDial();
      metrics.abandoned();
      observer.closed(now(), CloseCode.abnormal, '', 'terminal');
    });
    const stopDial = connectUpstream(request, limits, (result) => {
      dialling.delete(dial);
      const held = hold.release();
      // Not reached when the terminal left: leaving stops the dial, and `done` is then never called.
      if (held === null) return;
      onUpstream(req, socket, held, result, observer, conn);
    });
    // Shutdown stops the dial; the terminal is then accepted and told 1001 like every other.
    const dial: Dial = {
      abort() {
        dialling.delete(dial);
        stopDial();
        const held = hold.release();
        if (held !== null) acceptAndClose(req, socket, held, CloseCode.goingAway, shuttingDown, observer);
      },
    };
    dialling.add(dial);
  });

  server.on('request', httpHandler(() => ({ status: closing ? 'closing' : 'ok', proxy: id, upstream: displayUpstream(upstream), connections: pairs.size })));

  let metricsListener: MetricsListener | null = null;
  if (o.metricsListen) {
    try {
      metricsListener = await startMetricsListener(o.metricsListen, { text: () => metrics.text(), contentType: metrics.registry.contentType }, logger);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Its own message: the caller's "port in use" advice is about the terminals' port.
      const where = `${o.metricsListen.host ?? '127.0.0.1'}:${o.metricsListen.port}`;
      throw new Error(`cannot serve metrics on ${where}: ${(error as Error).message} (choose another with --metrics-listen)`, { cause: error });
    }
  }

  logger.info({ proxy: id, url, metrics: metricsListener?.url ?? null, upstream: displayUpstream(upstream) }, 'proxy listening');

  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const dial of [...dialling]) dial.abort();
      const allClosed = new Promise<void>((resolve) => {
        drained = resolve;
        checkDrained();
      });
      for (const pair of pairs) pair.closeBoth(CloseCode.goingAway, shuttingDown);
      // ws drops a leg that does not answer after closeTimeout; this bound only guards against a bug there.
      const fallback = setTimeout(() => {
        for (const pair of pairs) pair.terminate();
        for (const ws of refusing) ws.terminate();
      }, closeTimeoutMs + 500);
      await allClosed;
      clearTimeout(fallback);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await metricsListener?.close();
      logger.info({ proxy: id }, 'proxy closed');
    })();
    return closing;
  };

  return { id, port, url, connectionCount: () => pairs.size, metricsText: () => metrics.text(), metricsUrl: metricsListener?.url ?? null, close };
}
