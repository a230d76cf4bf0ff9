/**
 * A TCP proxy that can turn into a black hole: it forwards both ways until `blackhole()`, then
 * silently drops every byte in both directions without closing anything. To each side the other
 * looks alive (the TCP connection is up) but mute — a half-open peer, as when a POS terminal's
 * Wi-Fi dies without a FIN. Unlike SIGSTOP it affects only the connections through it.
 */
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface BlackholeProxy {
  readonly port: number;
  /** `ws://127.0.0.1:<proxy port><path>` for a `ws://` target URL. */
  urlFor(targetUrl: string): string;
  /** Stop forwarding, silently and for good; closes nothing. */
  blackhole(): void;
  /** Pairs currently held (client side still open). */
  connectionCount(): number;
  close(): Promise<void>;
}

export async function startBlackholeProxy(targetHost: string, targetPort: number): Promise<BlackholeProxy> {
  let forwarding = true;
  const sockets = new Set<Socket>();
  let pairs = 0;

  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    pairs++;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.once('close', () => pairs--);
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (forwarding) to.write(chunk);
      });
      // A close on one side travels to the other only while forwarding; afterwards it is swallowed too.
      from.on('end', () => {
        if (forwarding) to.end();
      });
      from.on('close', () => {
        if (forwarding) to.destroy();
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    urlFor(targetUrl) {
      const u = new URL(targetUrl);
      return `ws://127.0.0.1:${port}${u.pathname}${u.search}`;
    },
    blackhole() {
      forwarding = false;
    },
    connectionCount: () => pairs,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
