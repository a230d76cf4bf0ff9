/**
 * The proxy's own plain HTTP on the terminals' port: `GET /metrics` (its own registry), `GET /healthz`
 * (status, upstream, connections), and a JSON 404 for anything else — the proxy does not know which
 * paths the upstream serves, so it never forwards plain HTTP to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathOf } from '../gateway/handshake.ts';
import type { Logger } from '../log/logger.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';

export interface Health {
  status: 'ok' | 'closing';
  proxy: string;
  upstream: string;
  connections: number;
}

export function httpHandler(metrics: ProxyMetrics, health: () => Health, logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req.url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const known = path === '/metrics' || path === '/healthz';
    if (known && req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: { code: 'BAD_REQUEST', message: 'Only GET is served here' } });
    if (path === '/metrics') {
      try {
        const body = await metrics.text();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      } catch (error) {
        logger.error({ err: error }, 'metrics failed');
        json(500, { error: { code: 'INTERNAL', message: 'Internal error' } });
      }
      return;
    }
    if (path === '/healthz') {
      const h = health();
      return json(h.status === 'ok' ? 200 : 503, h);
    }
    json(404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
  };
  return (req, res) => void serve(req, res);
}
