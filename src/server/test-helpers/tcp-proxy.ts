/**
 * A tiny TCP proxy a test controls, standing between a client and a real service (Redis) so the
 * test can make the service "restart" without touching the shared server: `stop()` cuts every
 * connection and refuses new ones (as a dead Redis would), `start()` listens again on the same port.
 *
 *   const proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: 6379 } });
 *   const bus = createRedisBus({ url: `redis://127.0.0.1:${proxy.port}` });
 *   await proxy.stop();  …  await proxy.start();
 *   await proxy.close();
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far (a reconnecting client makes it grow). */
  readonly accepted: number;
  /** Cut every open connection and stop listening: clients see ECONNRESET, then ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Cut the open connections but keep listening (a `CLIENT KILL` seen from the client). */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(o: { target: { host: string; port: number }; port?: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let server: Server | undefined;
  let port = o.port ?? 0;

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  function listen(): Promise<void> {
    const s = createServer((client) => {
      accepted++;
      const upstream = createConnection(o.target);
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server = s;
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        port = (s.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  function cut(): void {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  async function stop(): Promise<void> {
    const s = server;
    server = undefined;
    cut();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  await listen();
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    stop,
    start: async () => {
      if (!server) await listen();
    },
    cut,
    close: stop,
  };
}
