/**
 * The gateway's `/metrics`, on a listener of its own (issue 18, item 13). Its series name every
 * restaurant and how many terminals each has connected; on the terminals' port — often open to
 * the internet, or a whole store network — anyone could read the fleet's customer list. So the
 * terminals' port serves only `/ws` and `/healthz`, and metrics are served here, by default on
 * 127.0.0.1 (`pulse gateway --metrics-listen`), for a Prometheus on the host or a tunnel to it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PulseError } from '../../protocol/errors.ts';
import type { Logger } from '../log/logger.ts';
import { guardHandshakes } from '../http/server-timeouts.ts';
import { pathOf } from './handshake.ts';

export interface MetricsListen {
  /** Default 127.0.0.1: a scrape from the host itself. */
  host?: string;
  /** 0 = any free port (read it from `url`). */
  port: number;
}

export interface MetricsListener {
  /** http://host:port/metrics */
  readonly url: string;
  close(): Promise<void>;
}

/** An error body with its stable code (src/protocol/errors.ts) and the status that code maps to. */
export function sendError(res: ServerResponse, error: PulseError): void {
  res.writeHead(error.httpStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: error.code, message: error.message } }));
}

export async function startMetricsListener(listen: MetricsListen, metrics: { text(): Promise<string>; contentType: string }, logger: Logger): Promise<MetricsListener> {
  const host = listen.host ?? '127.0.0.1';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new PulseError('METHOD_NOT_ALLOWED'));
    if (pathOf(req.url) !== '/metrics') return sendError(res, new PulseError('NOT_FOUND'));
    metrics.text().then(
      (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics failed');
        sendError(res, new PulseError('INTERNAL'));
      },
    );
  });
  guardHandshakes(server);
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: listen.port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'metrics listener error'));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
