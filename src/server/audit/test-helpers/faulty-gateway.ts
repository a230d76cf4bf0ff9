/**
 * A small POS gateway that passes every check of `pulse audit gateway` — unless one fault is
 * switched on, each the kind a real gateway ships with. The audit's acceptance is that each fault
 * is caught by exactly the check meant for it, and by nothing else, so besides the fault this
 * gateway is as correct as the reference one (and, unlike it, sends no welcome: the audit has to
 * be told the interval, as with most gateways it meets).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDecoder, createVerifier } from 'fast-jwt';
import { WebSocketServer, type WebSocket } from 'ws';
import { createBucket, takeToken, type TokenBucket } from '../../../core/token-bucket.ts';
import { bearerPrefix, posSubprotocol } from '../../../protocol/pos-messages.ts';

export const gatewayFaults = ['alg-none', 'ping-before-refusal', 'no-timeout', 'no-size-limit', 'cross-tenant'] as const;
export type GatewayFault = (typeof gatewayFaults)[number];

export interface FaultyGateway {
  readonly url: string;
  stop(): Promise<void>;
}

type Claims = { sub: string; rid: string };

export async function startFaultyGateway(o: { secret: string; intervalMs: number; graceMs: number; fault?: GatewayFault }): Promise<FaultyGateway> {
  const verify = createVerifier({ key: o.secret, algorithms: ['HS256'], requiredClaims: ['exp'], cache: false }) as (t: string) => Record<string, unknown>;
  const decode = createDecoder({ complete: true }) as (t: string) => { header: { alg?: unknown }; payload: Record<string, unknown> };
  const claimsOf = (token: string | null): Claims | null => {
    if (!token) return null;
    let payload: Record<string, unknown>;
    try {
      // The fault: a token that says it needs no signature is believed.
      if (o.fault === 'alg-none' && decode(token).header.alg === 'none') payload = decode(token).payload;
      else payload = verify(token);
    } catch {
      return null;
    }
    const { sub, rid, exp, role } = payload;
    if (typeof sub !== 'string' || !sub || typeof rid !== 'string' || !rid || typeof exp !== 'number' || role !== undefined) return null;
    return { sub, rid };
  };
  const tokenOf = (req: IncomingMessage): string | null => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const bearer = offered.find((p) => p.startsWith(bearerPrefix));
    if (bearer) return bearer.slice(bearerPrefix.length);
    return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  };

  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({
    server,
    path: '/ws',
    perMessageDeflate: false,
    maxPayload: o.fault === 'no-size-limit' ? 16 * 1024 * 1024 : 64 * 1024,
    handleProtocols: (offered) => (offered.has(posSubprotocol) ? posSubprotocol : false),
  });
  const members = new Map<WebSocket, { rid: string; heardAt: number }>();
  let orderSeq = 0;

  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    const claims = claimsOf(tokenOf(req));
    const serve = (who: Claims) => {
      let bucket: TokenBucket = createBucket(40, Date.now());
      members.set(ws, { rid: who.rid, heardAt: Date.now() });
      ws.on('message', (data, isBinary) => {
        const member = members.get(ws);
        if (!member) return;
        member.heardAt = Date.now();
        const taken = takeToken(bucket, Date.now(), { capacity: 40, refillPerSec: 20 });
        bucket = taken.bucket;
        if (!taken.ok) return ws.close(1008, 'Rate limit exceeded');
        let m: { type?: unknown; seq?: unknown; order?: unknown };
        try {
          if (isBinary) throw new Error('binary');
          m = JSON.parse(data.toString()) as typeof m;
          if (typeof m !== 'object' || m === null) throw new Error('not an object');
        } catch {
          return ws.close(1008, 'Invalid message');
        }
        if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', seq: typeof m.seq === 'number' ? m.seq : 0, timestamp: Date.now() }));
        else if (m.type === 'order') {
          const frame = JSON.stringify({ type: 'order', seq: ++orderSeq, timestamp: Date.now(), restaurantId: member.rid, order: m.order });
          for (const [peer, p] of members) if (o.fault === 'cross-tenant' || p.rid === member.rid) peer.send(frame);
        }
      });
      ws.on('close', () => members.delete(ws));
    };
    if (o.fault === 'ping-before-refusal') {
      // The fault: the handler is attached first and the token checked "later" (an await, a lookup).
      const early = claims ?? { sub: 'unverified', rid: 'unverified' };
      serve(early);
      setTimeout(() => {
        if (!claims) ws.close(4001, 'Invalid token');
      }, 30);
      return;
    }
    if (!claims) return ws.close(4001, 'Invalid token');
    serve(claims);
  });

  const sweep = setInterval(() => {
    if (o.fault === 'no-timeout') return;
    const now = Date.now();
    for (const [ws, m] of members) {
      if (now - m.heardAt <= 2 * o.intervalMs + o.graceMs) continue;
      members.delete(ws);
      ws.close(4008, 'Heartbeat timeout');
      ws.terminate();
    }
  }, 25);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      clearInterval(sweep);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
