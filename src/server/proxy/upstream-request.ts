/**
 * What the proxy asks of the upstream for one terminal's upgrade: which URL, which subprotocols,
 * which headers. Pure functions of the terminal's request, so the rules are tested without sockets
 * and the proxy cannot drift from them.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { bearerPrefix } from '../../protocol/pos-messages.ts';
import { tokenOf } from '../gateway/handshake.ts';
import type { TokenVia } from './proxy-observer.ts';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the request; the WebSocket
 * handshake headers are the ws client's own for the second leg (a fresh key, version 13, no
 * extensions: permessage-deflate is off on both legs), and Host names the upstream, not us.
 */
const notForwarded = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  // Passed as the ws client's `protocols`, which also makes ws check the upstream's answer.
  'sec-websocket-protocol',
]);

/** RFC 6455 §4.1: a subprotocol is an HTTP token; the ws client throws on anything else. */
const tokenChars = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;
const keyPattern = /^[+/0-9A-Za-z]{22}==$/;

/**
 * The upstream URL for a request. With an upstream path of '' or '/', the request's path and query
 * go as they are; otherwise every request goes to the upstream's path, keeping the request's query
 * (terminals keep `/ws?token=…`), or the upstream's own query when the request has none.
 */
export function upstreamUrlFor(upstream: URL, requestUrl: string): string {
  const origin = `${upstream.protocol}//${upstream.host}`;
  if (upstream.pathname === '' || upstream.pathname === '/') return origin + requestUrl;
  const q = requestUrl.indexOf('?');
  const query = q >= 0 ? requestUrl.slice(q) : upstream.search;
  return origin + upstream.pathname + query;
}

/** The upstream for logs and /healthz: no userinfo, no query. */
export function displayUpstream(upstream: URL): string {
  return `${upstream.protocol}//${upstream.host}${upstream.pathname}`;
}

/** The offered subprotocols in order, or null when the header is malformed (the upstream would 400 it too). */
export function offeredProtocols(header: string | undefined): string[] | null {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const part of header.split(',')) {
    const p = part.trim();
    if (!tokenChars.test(p) || out.includes(p)) return null;
    out.push(p);
  }
  return out;
}

/**
 * The headers for the upstream leg: every end-to-end header of the terminal's request (authorization,
 * cookie, origin, user-agent, x-*, …), with the terminal's address appended to x-forwarded-for.
 */
export function forwardedHeaders(headers: IncomingHttpHeaders, remoteAddress: string): Record<string, string> {
  // Headers the request itself lists in Connection are hop-by-hop too.
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || notForwarded.has(name) || listed.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (remoteAddress) out['x-forwarded-for'] = out['x-forwarded-for'] ? `${out['x-forwarded-for']}, ${remoteAddress}` : remoteAddress;
  return out;
}

/**
 * Why this upgrade request cannot be a WebSocket handshake, or null. The checks `ws` makes in
 * `handleUpgrade`, made before the upstream is dialled: a request that would be refused anyway
 * must not cost the upstream a connection.
 */
export function upgradeProblem(req: Pick<IncomingMessage, 'method' | 'headers' | 'url'>): { status: number; message: string } | null {
  if (req.method !== 'GET') return { status: 405, message: 'Invalid HTTP method' };
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return { status: 400, message: 'Invalid Upgrade header' };
  const key = req.headers['sec-websocket-key'];
  if (key === undefined || !keyPattern.test(key)) return { status: 400, message: 'Missing or invalid Sec-WebSocket-Key header' };
  const version = Number(req.headers['sec-websocket-version']);
  if (version !== 13 && version !== 8) return { status: 400, message: 'Missing or invalid Sec-WebSocket-Version header' };
  if (!req.url?.startsWith('/')) return { status: 400, message: 'Invalid request target' };
  if (offeredProtocols(req.headers['sec-websocket-protocol']) === null) return { status: 400, message: 'Invalid Sec-WebSocket-Protocol header' };
  return null;
}

/** What the observer is told of the token (the gateway's rule: the subprotocol wins over `?token=`). */
export function tokenOfUpgrade(req: Pick<IncomingMessage, 'headers' | 'url'>): { token: string | undefined; via: TokenVia } {
  const { token, via } = tokenOf(req);
  return token === undefined ? { token: undefined, via: 'none' } : { token, via };
}

/**
 * The protocol to answer when the proxy itself ends the connection (upstream down, shutdown): a
 * `ws` client that offered protocols rejects an answer with none, so one is picked, but never a
 * `bearer.<jwt>`, which would write the token into a response header.
 */
export function localAnswer(offered: Set<string>): string | false {
  for (const p of offered) if (!p.startsWith(bearerPrefix)) return p;
  return false;
}

/**
 * What the terminal's 101 carries of the upstream's: every end-to-end header (set-cookie, each of
 * them, and whatever else the gateway adds), as raw name/value pairs in their order and spelling.
 * Not the handshake's own headers (the proxy answers the terminal's key and sends the protocol the
 * upstream selected itself), nor hop-by-hop ones, nor any listed in the response's Connection.
 */
export function passedOnResponseHeaders(rawHeaders: readonly string[]): string[] {
  const listed = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') for (const s of rawHeaders[i + 1]!.split(',')) listed.add(s.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (notForwarded.has(name) || notPassedBack.has(name) || listed.has(name)) continue;
    out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** The upstream's handshake answer, made again for the terminal's own key. */
const notPassedBack = new Set(['sec-websocket-accept']);
