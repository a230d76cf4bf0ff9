/**
 * How an ingest client's batches reach a hub (ingest-client.ts):
 *
 * - `wsIngestTransport`: the hub's `/ingest` WebSocket, on the resilient socket of src/client —
 *   backoff with jitter, one owner, a refused token stops retrying (4001 → failed) and says so.
 *   The token rides in the `bearer.` subprotocol, never in the URL.
 * - `inProcessTransport`: a hub in the same process (`pulse start --upstream`), straight into its
 *   ingest service; the same batches, answers and code paths, minus the socket.
 */
import WebSocket from 'ws';
import { systemClock, type Clock } from '../../core/clock.ts';
import { createResilientSocket } from '../../client/resilient-socket.ts';
import type { WebSocketLike } from '../../client/socket-types.ts';
import { decodeIngestAnswer, ingestPath, ingestSubprotocol, type IngestAnswer } from '../../protocol/ingest.ts';
import { bearerPrefix } from '../../protocol/pos-messages.ts';
import type { IngestTransport } from './ingest-client.ts';

export interface IngestTarget {
  accept(gw: string, text: string): IngestAnswer;
}

export function inProcessTransport(target: IngestTarget, gatewayId: string): IngestTransport {
  let handlers: Parameters<IngestTransport['start']>[0] | null = null;
  return {
    send(text) {
      const answer = target.accept(gatewayId, text);
      // Answered later, as over a socket: the client never sees its answer inside its own send.
      queueMicrotask(() => handlers?.answer(answer));
      return true;
    },
    connected: () => true,
    start(h) {
      handlers = h;
    },
    close: async () => {
      handlers = null;
    },
  };
}

export interface WsTransportOptions {
  /** The hub: http(s)://host:port or ws(s)://host:port[/ingest]. */
  hub: string;
  token: string;
  clock?: Clock;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** `http://h:7400` → `ws://h:7400/ingest`; a URL that already names a path keeps it. */
export function ingestUrl(hub: string): string {
  const u = new URL(hub);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.pathname === '/' || u.pathname === '') u.pathname = ingestPath;
  return u.toString();
}

export function wsIngestTransport(o: WsTransportOptions): IngestTransport {
  const clock = o.clock ?? systemClock();
  const url = ingestUrl(o.hub);
  const socket = createResilientSocket({
    url,
    protocols: () => [ingestSubprotocol, bearerPrefix + o.token],
    createSocket: (u, protocols) => new WebSocket(u, protocols, { perMessageDeflate: false, handshakeTimeout: 5000 }) as unknown as WebSocketLike,
    clock,
    random: Math.random,
    backoff: { baseMs: 1000, capMs: 30_000 },
    // The hub answers every batch, and a batch goes out every second: that is the liveness signal,
    // and an ack stands for the pong after which a connection counts as stable (attempts reset).
    makePing: () => null,
    isPong: (data) => (data.startsWith('{"type":"ack"') ? { seq: 0 } : null),
    healthThresholds: { degradedAfterMs: 10_000, unhealthyAfterMs: 20_000 },
    connectTimeoutMs: 10_000,
    stableAfterMs: 5000,
  });
  socket.on('failed', ({ reason, code }) => o.logger?.error({ reason, code, hub: url }, 'ingest: the hub refused this probe (check its gateway token: pulse token gateway --id …); not retrying'));
  socket.on('close', ({ code, reason }) => o.logger?.warn({ code, reason, hub: url }, 'ingest: connection to the hub closed; reconnecting'));
  return {
    send: (text) => socket.send(text),
    connected: () => socket.state === 'open',
    start(h) {
      socket.on('message', (data) => {
        const answer = decodeIngestAnswer(data);
        if (answer) h.answer(answer);
      });
      socket.on('open', () => h.ready());
      socket.connect();
    },
    close: async () => {
      socket.close(1000, 'probe stopping');
      socket.dispose();
    },
  };
}
