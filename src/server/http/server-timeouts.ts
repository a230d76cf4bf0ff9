/**
 * A deadline for the first request on every connection to a gateway, hub or proxy port.
 *
 * A connection that sent `GET /ws HTTP/1.1` and one header, and nothing more, holds a file
 * descriptor until Node gives up on its headers: 60 s by default, checked every 30 s — measured,
 * 1,500 such connections were all still open 65 s later, on a process that has ~20,000
 * descriptors in all. A WebSocket upgrade's headers are a few hundred bytes sent at once, so a few
 * seconds is generous.
 *
 * Our own timer per connection rather than Node's `headersTimeout`: that one is enforced by a
 * sweep that, seen here, never ran inside the test runner's worker, so a test could not show it
 * held; this one is a plain timer, cleared by the connection's first request or upgrade.
 *
 * And a cap per source address on connections still waiting for their first request: a deadline
 * alone lets one host hold (deadline × its connection rate) descriptors; with the cap it holds at
 * most that many, and the rest of the fleet still gets in. Over the cap a connection is dropped at
 * once (no bytes: it has sent no request to answer) and counted. The default leaves room for a
 * restaurant chain's terminals behind one NAT reconnecting at once: a complete upgrade leaves the
 * pending set within milliseconds, so only half-sent ones add up.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export const defaultHeadersTimeoutMs = 5_000;
/** Connections one source address may have waiting for their first request at once. */
export const defaultMaxPendingPerSource = 256;

export interface HandshakeGuard {
  /** Connections dropped because their first request did not arrive complete in time. */
  dropped(): number;
  /** Connections dropped at once because their source address already had its cap waiting. */
  refused(): number;
}

export interface HandshakeLimits {
  /** Default `defaultMaxPendingPerSource`. */
  maxPendingPerSource?: number;
}

export function guardHandshakes(server: Server, timeoutMs = defaultHeadersTimeoutMs, limits: HandshakeLimits = {}): HandshakeGuard {
  const maxPerSource = limits.maxPendingPerSource ?? defaultMaxPendingPerSource;
  const pending = new WeakMap<Socket, { timer: ReturnType<typeof setTimeout>; source: string }>();
  const bySource = new Map<string, number>();
  let dropped = 0;
  let refused = 0;
  const settle = (socket: Socket) => {
    const p = pending.get(socket);
    if (p === undefined) return;
    clearTimeout(p.timer);
    pending.delete(socket);
    const n = (bySource.get(p.source) ?? 1) - 1;
    if (n <= 0) bySource.delete(p.source);
    else bySource.set(p.source, n);
  };
  server.on('connection', (socket: Socket) => {
    const source = socket.remoteAddress ?? 'unknown';
    const waiting = bySource.get(source) ?? 0;
    if (waiting >= maxPerSource) {
      refused++;
      socket.destroy();
      return;
    }
    bySource.set(source, waiting + 1);
    const timer = setTimeout(() => {
      settle(socket);
      dropped++;
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    pending.set(socket, { timer, source });
    socket.once('close', () => settle(socket));
  });
  // Listeners added here run before the server's own: the request is complete, the deadline met.
  server.prependListener('request', (req) => settle(req.socket));
  server.prependListener('upgrade', (req) => settle(req.socket));
  return { dropped: () => dropped, refused: () => refused };
}
