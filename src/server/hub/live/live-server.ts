/**
 * The dashboard stream `/live` (handshake and frames: src/protocol/live.ts): sockets, admission,
 * viewer messages, heartbeat and fan-out around the tick engine of live-stream.ts. Ticks are
 * synchronous: they never await a viewer, and a viewer that cannot keep up is cut, not waited for.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { systemClock, type Clock, type TimerHandle } from '../../../core/clock.ts';
import { closeReason, errorCodes, PulseError, TerminalAmbiguousError } from '../../../protocol/errors.ts';
import { decodeViewerMessage, livePath, parseSince, type DeltaFrame, type RestaurantFiguresWire, type StreamPosition, type ViewerMessage } from '../../../protocol/live.ts';
import type { ViewerClaims } from '../../auth/tokens.ts';
import { admitViewer, chooseSubprotocol, normalizeOrigin, type Admission } from './live-admission.ts';
import type { LiveSource } from './live-source.ts';
import { defaultRefreshPolicy } from './tick-diff.ts';
import { LiveStream } from './live-stream.ts';
import type { TickEntry } from './stream-history.ts';
import { ViewerConnection, type SendCounters } from './viewer-connection.ts';
import { encode, textOf, type Encoded } from './live-encoding.ts';
import { ViewerInterest } from './viewer-interest.ts';
import { scopeOfClaims } from './viewer-scope.ts';
import { bindUnresolvedWatches, watchedTerminal, watchKey } from './terminal-watch.ts';

export interface LiveLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LiveServerOptions {
  secret: string;
  source: LiveSource;
  /** Browser origins allowed to open the stream, e.g. `http://127.0.0.1:7400`. */
  allowedOrigins: readonly string[];
  clock?: Clock;
  tickMs?: number;
  /**
   * The longest a restaurant's changing rolling figures (rates, shares, percentiles) wait to be
   * sent, default 60 s (reached at 1,800 restaurants; smaller fleets refresh sooner, see
   * tick-diff.ts); status and connection changes go out every tick regardless. 0 = every tick.
   */
  refreshMaxMs?: number;
  /** Deltas kept for resume (300 = 5 min at 1 s ticks). */
  historyFrames?: number;
  /** Restaurants + events the history may hold before it forgets its oldest ticks. */
  historyMaxWeight?: number;
  /** A viewer with more than this still queued at the next tick is cut with 1013. */
  maxBufferedBytes?: number;
  heartbeatIntervalMs?: number;
  /** How long a closing viewer gets to answer the close frame before it is terminated. */
  closeGraceMs?: number;
  /** Feed entries per delta or snapshot; the rest are counted in `eventsOmitted`. */
  maxFeedEvents?: number;
  maxWatchesPerViewer?: number;
  logger?: LiveLogger;
  /** Fixed epoch for tests; a random one otherwise, so two hubs (or two runs) never share one. */
  epoch?: string;
}

export interface LiveStats {
  epoch: string;
  seq: number;
  viewers: number;
  framesSent: number;
  bytesSent: number;
  slowConsumersCut: number;
  heartbeatTimeouts: number;
  refusedToken: number;
  refusedOrigin: number;
  resumesReplayed: number;
  resumesResynced: number;
  tickErrors: number;
  lastTickMs: number;
  historyFrames: number;
}

export interface LiveServer {
  readonly epoch: string;
  /** Takes upgrades for `/live` and returns true; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  stats(): LiveStats;
  /** Closes every viewer with 1001 and stops ticking. */
  close(): Promise<void>;
}

const silent: LiveLogger = { info() {}, warn() {}, error() {} };

export function createLiveServer(options: LiveServerOptions): LiveServer {
  const clock = options.clock ?? systemClock();
  const { source, secret } = options;
  const logger = options.logger ?? silent;
  const tickMs = options.tickMs ?? 1000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const closeGraceMs = options.closeGraceMs ?? 2_000;
  const maxWatches = options.maxWatchesPerViewer ?? 8;
  const origins = new Set(options.allowedOrigins.map(normalizeOrigin));

  const counters: SendCounters & Omit<LiveStats, 'epoch' | 'seq' | 'viewers' | 'historyFrames'> = {
    framesSent: 0, bytesSent: 0, slowConsumersCut: 0, heartbeatTimeouts: 0, refusedToken: 0, refusedOrigin: 0,
    resumesReplayed: 0, resumesResynced: 0, tickErrors: 0, lastTickMs: 0,
  };
  const stream = new LiveStream(
    {
      epoch: options.epoch ?? randomBytes(9).toString('base64url'),
      source,
      tickMs,
      refresh: options.refreshMaxMs === undefined ? defaultRefreshPolicy : { ...defaultRefreshPolicy, maxMs: options.refreshMaxMs },
      historyFrames: options.historyFrames ?? 300,
      historyMaxWeight: options.historyMaxWeight ?? 250_000,
      maxFeedEvents: options.maxFeedEvents ?? 500,
      onSourceError(error, during) {
        if (during === 'tick') counters.tickErrors++;
        logger.error({ err: String(error), during }, 'live: fleet source failed');
      },
    },
    clock.now(),
  );
  const { epoch } = stream;
  const viewers = new Set<ViewerConnection>();
  const closing = new Map<WebSocket, TimerHandle>();
  let closed = false;

  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    // Viewer messages are a few dozen bytes, an `interest` of 64 ids at most ~4.3 KB; nothing
    // legitimate comes near this.
    maxPayload: 8 * 1024,
    handleProtocols: (offered) => chooseSubprotocol(offered),
  });

  // ---- socket plumbing ----------------------------------------------------------------------

  /** Close, and terminate if the peer does not answer: `ws` would otherwise wait 30 s for a dead one. */
  function closeSocket(ws: WebSocket, code: number, reason: string): void {
    if (closing.has(ws)) return;
    closing.set(ws, clock.setTimeout(() => ws.terminate(), closeGraceMs));
    ws.once('close', () => {
      clock.clearTimeout(closing.get(ws));
      closing.delete(ws);
    });
    ws.close(code, reason);
  }

  function release(v: ViewerConnection): void {
    v.open = false;
    if (viewers.delete(v)) stream.scopes.release(v.scope, stream.seq);
  }

  function sendJson(v: ViewerConnection, frame: object): void {
    const { text, bytes } = encode(frame);
    v.send(text, bytes);
  }

  function sendError(v: ViewerConnection, error: PulseError, tid?: string, rid?: string): void {
    const restaurants = error instanceof TerminalAmbiguousError ? { restaurants: [...error.restaurants] } : {};
    sendJson(v, { type: 'error', epoch, seq: v.position, code: error.code, message: error.message, ...(tid ? { tid } : {}), ...(rid ? { rid } : {}), ...restaurants });
  }

  /** A refusal that ends the connection: explained in an error frame, then closed with its code. */
  function fail(v: ViewerConnection, error: PulseError): void {
    sendError(v, error);
    release(v);
    closeSocket(v.ws, error.closeCode, closeReason(error));
  }

  function cutSlow(v: ViewerConnection): void {
    counters.slowConsumersCut++;
    logger.warn({ sub: v.claims.sub, buffered: v.ws.bufferedAmount }, 'live: slow consumer cut');
    release(v);
    closeSocket(v.ws, errorCodes.SLOW_CONSUMER.close, errorCodes.SLOW_CONSUMER.message);
  }

  function sendSnapshot(v: ViewerConnection): void {
    const { text, bytes } = encode(stream.snapshot(v.scope, v.claims.role));
    v.sendStream(text, bytes, stream.seq);
    // A snapshot holds published figures, older than the fresh ones an interested viewer had.
    if (v.interest) sendFigures(v, v.interest.refill(stream.latest));
  }

  /** Replays what the viewer missed if the history still holds all of it, else resyncs it. */
  function answer(v: ViewerConnection, since: StreamPosition | null): void {
    if (since) {
      const frames = stream.replay(v.scope, since);
      if (frames) {
        for (const f of frames) {
          const { text, bytes } = encode(f);
          v.sendStream(text, bytes, f.seq);
        }
        counters.resumesReplayed++;
        // Replayed shared patches may hold older rolling figures than this viewer was sent.
        if (v.interest) sendFigures(v, v.interest.refill(stream.latest));
        return;
      }
      counters.resumesResynced++;
    }
    sendSnapshot(v);
  }

  function sendFigures(v: ViewerConnection, restaurants: RestaurantFiguresWire[]): void {
    if (restaurants.length > 0) sendJson(v, { type: 'figures', epoch, seq: v.position, restaurants });
  }

  // ---- viewer messages ----------------------------------------------------------------------

  function onMessage(v: ViewerConnection, data: RawData, isBinary: boolean): void {
    v.alive = true;
    if (!v.open) return;
    if (!v.allowMessage(clock.now())) return fail(v, new PulseError('RATE_LIMITED'));
    if (isBinary) return fail(v, new PulseError('NOT_TEXT'));
    const decoded = decodeViewerMessage(textOf(data));
    if (!decoded.ok) return fail(v, decoded.error);
    handle(v, decoded.value);
  }

  function handle(v: ViewerConnection, msg: ViewerMessage): void {
    switch (msg.type) {
      case 'ping':
        sendJson(v, { type: 'pong', epoch, seq: v.position, ...(msg.id !== undefined ? { id: msg.id } : {}), t: clock.now() });
        return;
      case 'resume':
        answer(v, { epoch: msg.epoch, seq: msg.since });
        return;
      case 'interest':
        v.interest ??= new ViewerInterest(v.scope);
        sendFigures(v, v.interest.set(msg.rids, stream.latest));
        return;
      case 'unwatch_terminal':
        for (const [key, w] of v.watches) if (w.tid === msg.tid && (msg.rid === undefined || w.rid === msg.rid)) v.watches.delete(key);
        return;
      case 'watch_terminal': {
        const watched = watchedTerminal(v.scope, source, msg.tid, msg.rid);
        if (watched instanceof PulseError) return sendError(v, watched, msg.tid, msg.rid);
        const key = watchKey(watched);
        if (!v.watches.has(key) && v.watches.size >= maxWatches) {
          return sendError(v, new PulseError('BAD_REQUEST', `at most ${maxWatches} watched terminals`), msg.tid, msg.rid);
        }
        v.watches.set(key, watched);
        sendJson(v, stream.terminalEvents(v.scope, watched, v.position));
        return;
      }
    }
  }

  // ---- connections --------------------------------------------------------------------------

  function accept(ws: WebSocket, claims: ViewerClaims, since: StreamPosition | null): void {
    const v = new ViewerConnection(ws, claims, stream.scopes.acquire(scopeOfClaims(claims)), counters, clock.now());
    viewers.add(v);
    // Listeners first, in the handshake's tick: a ping sent right after open must be answered.
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(v, data, isBinary);
      } catch (error) {
        logger.error({ err: String(error) }, 'live: viewer message failed');
        fail(v, new PulseError('INTERNAL'));
      }
    });
    ws.on('pong', () => (v.alive = true));
    ws.on('error', (error) => logger.warn({ sub: claims.sub, err: error.message }, 'live: viewer socket error'));
    ws.on('close', (code) => {
      release(v);
      logger.info({ sub: claims.sub, code, viewers: viewers.size }, 'live: viewer left');
    });
    logger.info({ sub: claims.sub, role: claims.role, viewers: viewers.size, resume: since !== null }, 'live: viewer joined');
    answer(v, since);
  }

  function refuse(ws: WebSocket, refusal: Extract<Admission, { ok: false }>): void {
    if (refusal.refusal === 'origin') counters.refusedOrigin++;
    else counters.refusedToken++;
    ws.on('error', () => {});
    logger.info({ code: refusal.error.code }, 'live: viewer refused');
    // The bare message ("Invalid token"): which check failed is for our log, not for the caller.
    closeSocket(ws, refusal.error.closeCode, errorCodes[refusal.error.code].message);
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub.invalid');
    } catch {
      return false;
    }
    if (url.pathname !== livePath) return false;
    if (closed) {
      socket.destroy();
      return true;
    }
    const admission = admitViewer(req.headers, secret, origins);
    const since = parseSince(url.searchParams.get('since'));
    wss.handleUpgrade(req, socket, head, (ws) => (admission.ok ? accept(ws, admission.claims, since) : refuse(ws, admission)));
    return true;
  }

  // ---- ticks and heartbeat ------------------------------------------------------------------

  function broadcast(entry: TickEntry): void {
    // One encoding per scope per tick: a thousand support viewers cost one JSON.stringify.
    const frames = new Map<string, Encoded | null>();
    // A viewer with an interest gets its own cut of the scope's delta, encoded for it alone.
    const deltas = new Map<string, DeltaFrame | null>();
    const now = clock.now();
    for (const v of viewers) {
      // Checked every tick, not only at the heartbeat sweep: a 5 s token stayed ~12 s past its
      // expiry when the 15 s sweep was the only check.
      if (v.tokenExpired(now)) {
        fail(v, new PulseError('TOKEN_EXPIRED'));
        continue;
      }
      if (v.isSlow(maxBufferedBytes)) {
        cutSlow(v);
        continue;
      }
      let shared = deltas.get(v.scope.key);
      if (shared === undefined) deltas.set(v.scope.key, (shared = stream.delta(entry, v.scope)));
      let frame: Encoded | null | undefined = v.interest && shared ? encode(v.interest.cut(shared, stream.latest)) : frames.get(v.scope.key);
      if (frame === undefined) frames.set(v.scope.key, (frame = shared && encode(shared)));
      if (frame) v.sendStream(frame.text, frame.bytes, entry.seq);
      else sendSnapshot(v); // a scope this tick did not total: resync rather than send a hole
      if (v.watches.size === 0 || entry.events.length === 0) continue;
      bindUnresolvedWatches(v.watches, entry.events);
      for (const watched of v.watches.values()) {
        const f = stream.terminalEvents(v.scope, watched, entry.seq, entry.events);
        if (f.events.length > 0) sendJson(v, f);
      }
    }
  }

  function tick(): void {
    const started = performance.now();
    const entry = stream.tick(clock.now());
    if (!entry) return;
    broadcast(entry);
    counters.lastTickMs = performance.now() - started;
  }

  function sweep(): void {
    const now = clock.now();
    for (const v of viewers) {
      // A viewer stays connected for hours; its token's expiry still ends its access.
      if (v.tokenExpired(now)) fail(v, new PulseError('TOKEN_EXPIRED'));
      else if (!v.alive) {
        counters.heartbeatTimeouts++;
        release(v);
        v.ws.terminate();
      } else {
        v.alive = false;
        v.ws.ping();
      }
    }
  }

  let nextDue = clock.now() + tickMs;
  let tickTimer: TimerHandle | undefined;
  const scheduleTick = (): void => {
    tickTimer = clock.setTimeout(() => {
      tick();
      // Fixed cadence without bursts, and without drift: a late tick does not make the next ones
      // early to catch up, and the next one is due at the first slot of the original grid still
      // ahead — the hub phases ticks just after the probes' whole-second flushes, so sliding off
      // that grid after one slow tick would add up to a tick of latency for good.
      nextDue += tickMs * Math.max(1, Math.ceil((clock.now() + 1 - nextDue) / tickMs));
      scheduleTick();
    }, Math.max(0, nextDue - clock.now()));
  };
  scheduleTick();
  let heartbeatTimer: TimerHandle | undefined;
  const scheduleSweep = (): void => {
    heartbeatTimer = clock.setTimeout(() => {
      sweep();
      scheduleSweep();
    }, heartbeatIntervalMs);
  };
  scheduleSweep();

  return {
    epoch,
    handleUpgrade,
    stats: () => ({ ...counters, epoch, seq: stream.seq, viewers: viewers.size, historyFrames: stream.historyLength }),
    async close() {
      if (closed) return;
      closed = true;
      clock.clearTimeout(tickTimer);
      clock.clearTimeout(heartbeatTimer);
      const done = [...viewers].map((v) => new Promise<void>((resolve) => v.ws.once('close', () => resolve())));
      for (const v of [...viewers]) {
        release(v);
        closeSocket(v.ws, errorCodes.SHUTTING_DOWN.close, errorCodes.SHUTTING_DOWN.message);
      }
      await Promise.all(done);
      for (const ws of closing.keys()) ws.terminate();
      wss.close();
    },
  };
}
