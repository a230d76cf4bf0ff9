/**
 * The proxy's own plain HTTP on the terminals' port: `GET /healthz` (status, upstream,
 * connections), and a JSON 404 for anything else — `/metrics` included: it is served on a listener
 * of its own (`--metrics-listen`, src/server/gateway/metrics-listener.ts), as the gateway's is,
 * since the terminals' port is often open to a whole store network (issue 18, item 13). The proxy
 * does not know which paths the upstream serves, so it never forwards plain HTTP to it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PulseError } from '../../protocol/errors.ts';
import { pathOf } from '../gateway/handshake.ts';
import { sendError } from '../gateway/metrics-listener.ts';

export interface Health {
  status: 'ok' | 'closing';
  proxy: string;
  upstream: string;
  connections: number;
}

export function httpHandler(health: () => Health): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (pathOf(req.url) !== '/healthz') return sendError(res, new PulseError('NOT_FOUND'));
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, new PulseError('METHOD_NOT_ALLOWED'));
    const h = health();
    res.writeHead(h.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
  };
}
