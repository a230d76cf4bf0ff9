/**
 * What the gateway reads from an upgrade request before any frame flows: where the token is, and
 * which subprotocol to answer with. Pure functions of the request, so they are tested without
 * sockets and cannot drift from what the gateway does.
 */
import type { IncomingMessage } from 'node:http';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';

export type TokenVia = 'subprotocol' | 'query';

/** The bearer token of an upgrade request: the subprotocol wins over the legacy query. */
export function tokenOf(req: Pick<IncomingMessage, 'headers' | 'url'>): { token: string | undefined; via: TokenVia } {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const p = part.trim();
      if (p.startsWith(bearerPrefix)) return { token: p.slice(bearerPrefix.length) || undefined, via: 'subprotocol' };
    }
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0) {
    const token = new URLSearchParams(url.slice(q + 1)).get('token');
    if (token) return { token, via: 'query' };
  }
  return { token: undefined, via: 'subprotocol' };
}

/** The path of a request URL, without its query (which may carry a token). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

/**
 * `handleProtocols` for the WebSocketServer. `ws`'s default selects the first offered protocol —
 * `bearer.<jwt>` — and so writes the token into the response header (PITFALLS.md). We select only
 * our fixed, non-secret protocol, and only if the client offered it; otherwise none.
 */
export function selectProtocol(offered: Set<string>): string | false {
  return offered.has(posSubprotocol) ? posSubprotocol : false;
}
