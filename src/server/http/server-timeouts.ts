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
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export const defaultHeadersTimeoutMs = 5_000;

export interface HandshakeGuard {
  /** Connections dropped because their first request did not arrive complete in time. */
  dropped(): number;
}

export function guardHandshakes(server: Server, timeoutMs = defaultHeadersTimeoutMs): HandshakeGuard {
  const pending = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
  let dropped = 0;
  const settle = (socket: Socket) => {
    const timer = pending.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      pending.delete(socket);
      dropped++;
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => settle(socket));
  });
  // Listeners added here run before the server's own: the request is complete, the deadline met.
  server.prependListener('request', (req) => settle(req.socket));
  server.prependListener('upgrade', (req) => settle(req.socket));
  return { dropped: () => dropped };
}
