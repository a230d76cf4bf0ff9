/**
 * The Pulse probe for a gateway that already runs on Node `ws` (DESIGN.md, "Ways in"): one line
 * added to the gateway, and its terminal connections reach a hub's `/ingest` as raw connection
 * events (docs/telemetry.md), with the gateway's own verdicts.
 *
 *   const wss = new WebSocketServer({ server, path: '/ws' });
 *   wss.on('connection', (ws, req) => { … the gateway, unchanged … });
 *   const probe = attachProbe(wss, { identify: (req) => …, hub: 'http://pulse:7400', token, gateway: 'gw-eu-1' });
 *
 * It never changes what the gateway does: it listens (the server's 'connection', each socket's
 * 'message', 'close', 'error') and wraps the socket's `send`, `close` and `terminate` to observe
 * them; each wrapper calls the original with the same arguments and returns what it returns. No
 * observation can throw into the gateway (each is caught and counted in `stats().observerErrors`),
 * and none blocks: events go into the bounded ingest client (../ingest-client.ts), which batches
 * them (≤ 1 s), drops the oldest when the hub is slow or gone (counted, reported with the next
 * batch) and re-announces open connections after it reconnects.
 *
 * Order of registration. Node calls listeners in the order they were added. attachProbe may be
 * called before or after the gateway adds its 'connection' handler:
 * - after (the usual one added line): the gateway's handler runs first; if it already closed the
 *   socket (a refused token, accept-then-4001) the probe sees `ws` closing and counts the close as
 *   the gateway's; frames the handler sent before the probe saw the socket count for nothing.
 * - before: the probe wraps the socket before the gateway's handler gets it, and sees everything.
 * Either way the probe's 'message' listener is *prepended*, so it sees a ping before the gateway's
 * own listener answers it with a pong: the events keep the order in which things happened.
 * The probe's 'error' listener means an error event on a socket no longer crashes a gateway that
 * (wrongly) attached none of its own; `ws` closes such a socket itself all the same.
 */
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { systemClock, type Clock } from '../../../core/clock.ts';
import type { RawEvent } from '../../../protocol/ingest.ts';
import { bearerPrefix } from '../../../protocol/pos-messages.ts';
import { createIngestClient, type IngestClientLogger, type IngestClientStats, type IngestTransport } from '../ingest-client.ts';
import { wsIngestTransport } from '../ingest-transports.ts';
import { ConnectionWatch, type Identity, type Refusal } from './connection-watch.ts';
import { incomingBytes, outgoingBytes, parseIncoming, parseOutgoing, posShapes, type FrameShapes } from './pos-frames.ts';
import { methodWatcher } from './wrap-method.ts';

export type { Identity, Refusal } from './connection-watch.ts';
export type { FrameShapes, PosFrame } from './pos-frames.ts';

export interface AttachProbeOptions {
  /**
   * Who the terminal is, as the gateway itself decides it (so opens are `verified`): `{ rid, tid }`;
   * or `{ refused, rid?, tid? }` for a token the gateway refuses (labels the `auth_fail` when the
   * gateway then closes 4001; `rid`/`tid` are the token's unverified claims); or null: the
   * connection is not reported (a 4001 close of it is still an `auth_fail`, reason `refused`).
   * Called once per connection, synchronously, from the 'connection' event: it must not depend on
   * what the gateway's own handler does, since either may run first.
   */
  identify(req: IncomingMessage): Identity | Refusal | null;
  /** The hub: `http://host:port` or `ws://host:port/ingest`. */
  hub: string;
  /** A gateway token for `gateway` (`pulse token gateway --id …`). */
  token: string;
  /** This gateway's id: unique, stable across restarts. */
  gateway: string;
  isPing?: FrameShapes['isPing'];
  isAck?: FrameShapes['isAck'];
  isOrder?: FrameShapes['isOrder'];
  isPong?: FrameShapes['isPong'];
  /** Events held while the hub is slow or gone before the oldest are dropped (counted); default 100,000. */
  maxBufferedEvents?: number;
  /**
   * Events per batch at most; default 1000. While the hub is gone, up to 64 batches wait for its
   * answer besides the buffer, so the most a probe holds is `maxBufferedEvents` + 64 × `batchMax`
   * (at a reconnect, the re-announcements of open connections go out beyond the 64).
   */
  batchMax?: number;
  /** Traffic counts go out per connection at most this often (and at its close); default 1000. */
  trafficEveryMs?: number;
  logger?: IngestClientLogger & { error(obj: object, msg: string): void };
  clock?: Clock;
  /** Instead of the hub's `/ingest` socket (tests, an in-process hub). */
  transport?: IngestTransport;
  /** Sees every event as it is reported (tests: the exact samples behind the hub's figures). */
  tap?: (event: RawEvent) => void;
}

export interface ProbeStats extends IngestClientStats {
  /** Terminal connections open and reported now. */
  connections: number;
  /** Connections identify() did not vouch for and the gateway did not refuse with 4001. */
  unidentified: number;
  /**
   * Pings whose `rtt` the ingest's field cannot carry (not a number, negative, over 60 s): sent as
   * `implausibleRtt` for the hub to count against the terminal. The hub also judges the rest
   * against its heartbeat interval, so its count (the terminal's diagnosis) can be higher.
   */
  implausibleRtt: number;
  /** Observations that failed (a probe bug): caught, counted, never felt by the gateway. */
  observerErrors: number;
}

export interface AttachedProbe {
  stats(): ProbeStats;
  /**
   * Stops observing (wrappers removed where still in place), sends what is buffered with a goodbye
   * (the hub reads the gateway stopped, not lost), closes the hub link. Called by itself when the
   * server closes (`wss.close()`: its 'close' comes once every client socket has closed).
   */
  close(): Promise<void>;
}

const OPEN = 1;

/** How the terminal presented its token: the `bearer.` subprotocol wins over `?token=` (DESIGN.md). */
function viaOf(req: IncomingMessage): 'subprotocol' | 'query' | 'other' {
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered === 'string' && offered.split(',').some((p) => p.trim().startsWith(bearerPrefix))) return 'subprotocol';
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0 && new URLSearchParams(url.slice(q + 1)).has('token')) return 'query';
  return 'other';
}

export function attachProbe(wss: WebSocketServer, o: AttachProbeOptions): AttachedProbe {
  const clock = o.clock ?? systemClock();
  const counts = { implausibleRtt: 0, unidentified: 0, observerErrors: 0 };
  /** Open connections, with the index of their `open` among the events pushed (see openConnections). */
  const live = new Map<string, { w: ConnectionWatch; at: number }>();
  /** Sockets whose methods are wrapped, to unwrap at close(). */
  const wrapped = new Set<WebSocket>();
  let next = 0;
  let stopped = false;
  const tap = o.tap;

  const failed = (error: unknown): void => {
    counts.observerErrors++;
    // Once per hundred, so a bug on every frame cannot flood the gateway's log.
    if (counts.observerErrors % 100 === 1) o.logger?.warn({ err: String(error), errors: counts.observerErrors }, 'pulse probe: an observation failed (the gateway is unaffected)');
  };

  let client: { push(e: RawEvent): void } | null = null;
  let pushed = 0;
  const push = (e: RawEvent): void => {
    if (stopped) return;
    tap?.(e);
    client?.push(e);
    pushed++;
  };
  const ctx = {
    push,
    shapes: { ...posShapes, ...pick(o) },
    trafficEveryMs: o.trafficEveryMs ?? 1000,
    counts,
  };
  const ingest = createIngestClient({
    gatewayId: o.gateway,
    clock,
    transport: o.transport ?? wsIngestTransport({ hub: o.hub, token: o.token, clock, ...(o.logger ? { logger: o.logger } : {}) }),
    ...(o.maxBufferedEvents !== undefined ? { maxBufferedEvents: o.maxBufferedEvents } : {}),
    ...(o.batchMax !== undefined ? { batchMax: o.batchMax } : {}),
    // Re-announced after a (re)connect: only connections whose `open` already left the buffer (in
    // a batch, or dropped). One still waiting goes out as itself later, and a `resumed` ahead of
    // it would make the hub refuse it as a second open — and lose the open.
    openConnections: () => {
      const left = pushed - ingest.stats().buffered;
      return [...live.values()].flatMap(({ w, at }) => (w.open && at < left ? [{ ...w.open, resumed: true }] : []));
    },
    ...(o.logger ? { logger: o.logger } : {}),
  });
  client = ingest;

  // One wrapper per method for every socket (wrap-method.ts: per-socket functions cost ~1.2 KB each).
  const watchers = [
    methodWatcher<ConnectionWatch>('send', {
      before: (_w, ws) => (ws as WebSocket).readyState === OPEN,
      after: (w, _ws, args, wasOpen) => {
        if (!wasOpen || stopped) return;
        w.outgoing(clock.now(), outgoingBytes(args[0]), parseOutgoing(args[0]));
      },
      failed,
    }),
    methodWatcher<ConnectionWatch>('close', {
      // `ws` answers a terminal's close frame by calling close() itself, after marking that it
      // received one (a private field, stable across ws 8): that close is the terminal's.
      before: (w, ws, args) => w.gatewayClose(args[0], args[1], (ws as unknown as { _closeFrameReceived?: boolean })._closeFrameReceived === true),
      after: () => {},
      failed,
    }),
    methodWatcher<ConnectionWatch>('terminate', { before: (w) => w.gatewayTerminate(), after: () => {}, failed }),
  ];

  function watch(ws: WebSocket, req: IncomingMessage): void {
    const t = clock.now();
    const conn = `c${++next}`;
    const at = pushed; // the open, if any, is the first event the watch pushes
    const w = new ConnectionWatch(ctx, conn, t, viaOf(req), o.identify(req));
    if (w.open) live.set(conn, { w, at });
    // Registered after the gateway's handler, the socket may already be closing: the gateway closed it.
    if (ws.readyState !== OPEN) w.closedBeforeWatched();

    for (const m of watchers) m.wrap(ws, w);
    wrapped.add(ws);

    ws.prependListener('message', (data: RawData, isBinary: boolean) => {
      if (stopped) return;
      try {
        w.incoming(clock.now(), incomingBytes(data), parseIncoming(data, isBinary));
      } catch (error) {
        failed(error);
      }
    });
    ws.on('error', () => {
      // Observed only: `ws` closes the socket itself (1002/1009 through close(), seen above).
    });
    ws.once('close', (code: number, reason: Buffer) => {
      live.delete(conn);
      wrapped.delete(ws);
      if (stopped) return;
      try {
        w.closed(clock.now(), code, reason.toString('utf8'));
      } catch (error) {
        failed(error);
      }
    });
  }

  const onConnection = (ws: WebSocket, req: IncomingMessage): void => {
    if (stopped) return;
    try {
      watch(ws, req);
    } catch (error) {
      failed(error);
    }
  };
  wss.on('connection', onConnection);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      wss.off('connection', onConnection);
      wss.off('close', onServerClose);
      for (const ws of wrapped) for (const m of watchers) m.unwrap(ws);
      wrapped.clear();
      stopped = true;
      live.clear();
      await ingest.close(undefined, { goodbye: true });
    })());
  const onServerClose = (): void => void close();
  wss.once('close', onServerClose);

  return {
    stats: () => ({ ...ingest.stats(), connections: live.size, unidentified: counts.unidentified, implausibleRtt: counts.implausibleRtt, observerErrors: counts.observerErrors }),
    close,
  };
}

function pick(o: AttachProbeOptions): Partial<FrameShapes> {
  const out: Partial<FrameShapes> = {};
  if (o.isPing) out.isPing = o.isPing;
  if (o.isAck) out.isAck = o.isAck;
  if (o.isOrder) out.isOrder = o.isOrder;
  if (o.isPong) out.isPong = o.isPong;
  return out;
}
