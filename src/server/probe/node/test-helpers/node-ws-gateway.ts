/**
 * A POS gateway written the way a team writes one on Node `ws` — not Pulse's reference gateway
 * (src/server/gateway/), and importing none of Pulse but the probe, attached in one line. It is
 * what examples/node-ws-gateway runs, and what the node-probe tests watch.
 *
 * - `?token=<jwt>` HS256 (algorithm pinned), claims `sub` (terminal) and `rid` (restaurant):
 *   accept the upgrade, then close **4001 "Invalid token"** for a missing, malformed, expired or
 *   wrongly signed one, having processed nothing.
 * - No welcome message: the first frame a terminal gets is the pong to its first ping.
 * - `ping` → `{type:'pong', seq, timestamp}`; `order` → broadcast to that restaurant only, with a
 *   per-restaurant `seq`; `ack` ignored (this gateway measures nothing itself).
 * - Silent for 2 × interval + grace → **4008 "Heartbeat timeout"**, then terminate: a half-open
 *   peer would never answer the close frame (ws would wait 30 s for it).
 * - Frames over 64 KiB: `ws` closes **1009** (maxPayload); invalid JSON: **1008**; shutdown **1001**.
 *
 * It lives here rather than under examples/ because vitest, tsc and the test tsconfig only look
 * under src/; examples/node-ws-gateway/server.ts is its command line.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { WebSocketServer, type WebSocket } from 'ws';
import { attachProbe, type AttachedProbe, type AttachProbeOptions, type Identity, type Refusal } from '../index.ts';

export interface ExampleGatewayOptions {
  /** Default 0: any free port. */
  port?: number;
  host?: string;
  /** The HS256 secret the terminals' tokens are signed with. */
  secret: string;
  heartbeatIntervalMs?: number;
  heartbeatGraceMs?: number;
  /** Report to a Pulse hub. */
  probe?: Pick<AttachProbeOptions, 'hub' | 'token' | 'gateway' | 'maxBufferedEvents' | 'batchMax' | 'trafficEveryMs' | 'tap' | 'logger'>;
}

export interface ExampleGateway {
  /** ws://host:port/ws */
  readonly url: string;
  readonly port: number;
  readonly probe: AttachedProbe | null;
  /** Terminal sockets the server holds now (authenticated or not yet closed). */
  clients(): number;
  /** Closes every terminal with 1001, then the server and the probe. */
  stop(): Promise<void>;
}

type Verdict = { ok: true; rid: string; tid: string } | { ok: false; reason: Refusal['refused']; rid?: string; tid?: string };

function tokenOf(req: IncomingMessage): string | null {
  return new URL(req.url ?? '/', 'http://gateway').searchParams.get('token');
}

function verify(secret: string, token: string | null): Verdict {
  if (!token) return { ok: false, reason: 'missing' };
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
    if (typeof claims === 'object' && typeof claims.sub === 'string' && typeof claims.rid === 'string' && claims.exp !== undefined) return { ok: true, rid: claims.rid, tid: claims.sub };
    return { ok: false, reason: 'bad_claims' };
  } catch (error) {
    // Unverified claims only label the refusal (for whoever looks at the failures); they grant nothing.
    const peek = jwt.decode(token);
    const claims = typeof peek === 'object' && peek !== null ? { ...(typeof peek.rid === 'string' ? { rid: peek.rid } : {}), ...(typeof peek.sub === 'string' ? { tid: peek.sub } : {}) } : {};
    if (error instanceof jwt.TokenExpiredError) return { ok: false, reason: 'expired', ...claims };
    if (error instanceof jwt.JsonWebTokenError && /signature/.test(error.message)) return { ok: false, reason: 'bad_signature', ...claims };
    if (error instanceof jwt.JsonWebTokenError && /algorithm/.test(error.message)) return { ok: false, reason: 'bad_algorithm', ...claims };
    return { ok: false, reason: 'malformed', ...claims };
  }
}

/** What the probe is told of a connection: the same verification the handler does. */
function identify(secret: string, req: IncomingMessage): Identity | Refusal {
  const v = verify(secret, tokenOf(req));
  return v.ok ? { rid: v.rid, tid: v.tid } : { refused: v.reason, ...(v.rid ? { rid: v.rid } : {}), ...(v.tid ? { tid: v.tid } : {}) };
}

export async function startExampleGateway(o: ExampleGatewayOptions): Promise<ExampleGateway> {
  const intervalMs = o.heartbeatIntervalMs ?? 15_000;
  const graceMs = o.heartbeatGraceMs ?? 5000;
  const silenceLimitMs = 2 * intervalMs + graceMs;
  const host = o.host ?? '127.0.0.1';

  const server = createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 64 * 1024, perMessageDeflate: false });
  // Restaurant → its sockets, and its order sequence (kept when the room empties: a reconnecting
  // terminal never sees the sequence go back).
  const rooms = new Map<string, Set<WebSocket>>();
  const orderSeq = new Map<string, number>();
  const lastHeard = new Map<WebSocket, number>();

  function broadcast(rid: string, order: unknown): void {
    const seq = (orderSeq.get(rid) ?? 0) + 1;
    orderSeq.set(rid, seq);
    const frame = JSON.stringify({ type: 'order', seq, timestamp: Date.now(), restaurantId: rid, order });
    for (const peer of rooms.get(rid) ?? []) if (peer.readyState === peer.OPEN) peer.send(frame);
  }

  wss.on('connection', (ws, req) => {
    ws.on('error', () => {}); // ws closes the socket itself (1009 for maxPayload, 1002 for bad frames)
    const verdict = verify(o.secret, tokenOf(req));
    if (!verdict.ok) {
      ws.close(4001, 'Invalid token');
      return;
    }
    const { rid } = verdict;
    const room = rooms.get(rid) ?? new Set<WebSocket>();
    rooms.set(rid, room);
    room.add(ws);
    lastHeard.set(ws, Date.now());

    ws.on('message', (data, isBinary) => {
      lastHeard.set(ws, Date.now());
      let message: { type?: unknown; seq?: unknown; order?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        message = JSON.parse(data.toString());
        if (typeof message !== 'object' || message === null) throw new Error('not an object');
      } catch {
        ws.close(1008, 'Invalid JSON');
        return;
      }
      if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong', seq: typeof message.seq === 'number' ? message.seq : 0, timestamp: Date.now() }));
      else if (message.type === 'order') broadcast(rid, message.order);
      // 'ack' (and anything else): ignored.
    });
    ws.on('close', () => {
      room.delete(ws);
      lastHeard.delete(ws);
    });
  });

  // One sweep for every socket, a fraction of the grace: a dead peer is noticed within it.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [ws, at] of lastHeard) {
      if (now - at <= silenceLimitMs) continue;
      lastHeard.delete(ws);
      ws.close(4008, 'Heartbeat timeout');
      ws.terminate();
    }
  }, Math.max(10, Math.min(1000, Math.floor(graceMs / 4))));
  sweep.unref();

  // The probe: one line, after the gateway's own handler; identify() is the gateway's own verdict.
  const probe = o.probe ? attachProbe(wss, { identify: (req) => identify(o.secret, req), ...o.probe }) : null;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `ws://${host}:${port}/ws`,
    port,
    probe,
    clients: () => wss.clients.size,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(sweep);
        for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
        // Give the close handshakes a moment, then drop whoever did not answer.
        const deadline = Date.now() + 1000;
        while ([...wss.clients].some((ws) => ws.readyState !== ws.CLOSED) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await probe?.close();
      })()),
  };
}
