/**
 * A plain `ws` server standing in for a gateway Pulse did not write — deliberately not Pulse's
 * gateway, so the proxy is tested against ws's own behaviour. It echoes every data message as it
 * came (text as text, binary as binary), records each upgrade request and each close it saw, and
 * can refuse an upgrade (`/refuse-<status>`), never answer one (`/stall`), or answer one only when
 * the test says so (`/slow`, see `releaseSlow`).
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

export interface UpstreamSession {
  readonly ws: WebSocket;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly protocol: string;
  readonly pings: Buffer[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface EchoUpstream {
  readonly port: number;
  /** ws://127.0.0.1:port (no path) */
  readonly url: string;
  readonly sessions: UpstreamSession[];
  /** The n-th session accepted (0-based), when it is. */
  session(n: number, timeoutMs?: number): Promise<UpstreamSession>;
  /** Upgrade requests to `/stall` still held open by their client. */
  stalledCount(): number;
  /** Upgrade requests to `/slow` waiting for `releaseSlow`. */
  slowCount(): number;
  /** Answer the `/slow` upgrades waiting. */
  releaseSlow(): void;
  close(): Promise<void>;
}

export interface EchoUpstreamOptions {
  /** Which offered protocol to select; default none. */
  select?: (offered: Set<string>) => string | false;
  /** Echo data messages back; default true. */
  echo?: boolean;
}

export async function startEchoUpstream(o: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const sessions: UpstreamSession[] = [];
  const waiters = new Set<() => void>();
  const stalled = new Set<Socket>();
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: o.select ?? (() => false) });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    const refuse = /^\/refuse-(\d{3})/.exec(req.url ?? '');
    if (refuse) {
      socket.end(`HTTP/1.1 ${refuse[1]} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    if (req.url?.startsWith('/slow')) {
      slow.push(() => accept(req, socket, head));
      return;
    }
    if (req.url?.startsWith('/stall')) {
      stalled.add(socket);
      socket.once('close', () => stalled.delete(socket));
      // Read (and drop) so that the client's FIN is seen: an upgraded socket is left paused, and
      // half-open (http servers allow it), so the end is ours to complete.
      socket.resume();
      socket.once('end', () => socket.destroy());
      return;
    }
    accept(req, socket, head);
  });
  const slow: Array<() => void> = [];
  const accept = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      const pings: Buffer[] = [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      ws.on('ping', (data) => pings.push(data));
      if (o.echo ?? true) ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary }));
      sessions.push({ ws, url: req.url ?? '', headers: req.headers, protocol: ws.protocol, pings, closed });
      for (const w of waiters) w();
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    sessions,
    session(n, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const s = sessions[n];
          if (!s) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(s);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no upstream session #${n} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stalledCount: () => stalled.size,
    slowCount: () => slow.length,
    releaseSlow: () => {
      for (const answer of slow.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.ws.terminate();
        for (const s of stalled) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
