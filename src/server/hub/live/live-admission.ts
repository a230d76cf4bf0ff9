/**
 * Who may open `/live`: decided from the upgrade request alone, synchronously, so the socket's
 * listeners are attached in the same tick as the handshake (PITFALLS: listener after an await).
 * The token rides in `Sec-WebSocket-Protocol: bearer.<jwt>` and is never echoed nor logged.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PulseError } from '../../../protocol/errors.ts';
import { bearerPrefix } from '../../../protocol/pos-messages.ts';
import { liveSubprotocol } from '../../../protocol/live.ts';
import { verifyViewerToken, type ViewerClaims } from '../../auth/tokens.ts';

export type Admission =
  | { ok: true; claims: ViewerClaims }
  | { ok: false; error: PulseError; refusal: 'origin' | 'token' };

export function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  for (const part of value.split(',')) {
    const p = part.trim();
    if (p.startsWith(bearerPrefix) && p.length > bearerPrefix.length) return p.slice(bearerPrefix.length);
  }
  return undefined;
}

/** `scheme://host[:port]`, lower-cased, as browsers send it; a trailing slash in config is forgiven. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

export function admitViewer(headers: IncomingHttpHeaders, secret: string, allowedOrigins: ReadonlySet<string>): Admission {
  // Browsers always send Origin on a WebSocket upgrade; a page on another site must not ride a
  // viewer's token (cross-site WebSocket hijacking). Non-browser clients send none: allowed.
  const origin = headers.origin;
  if (origin !== undefined && !allowedOrigins.has(normalizeOrigin(origin))) {
    return { ok: false, error: new PulseError('ORIGIN_REFUSED'), refusal: 'origin' };
  }
  const verified = verifyViewerToken(secret, bearerTokenOf(headers['sec-websocket-protocol']));
  if (!verified.ok) {
    const code = verified.reason === 'missing' ? 'TOKEN_MISSING' : verified.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID';
    return { ok: false, error: new PulseError(code, verified.reason), refusal: 'token' };
  }
  return { ok: true, claims: verified.claims };
}

/** The subprotocol the hub answers: the marker, never the bearer entry that holds the token. */
export function chooseSubprotocol(offered: Set<string>): string | false {
  return offered.has(liveSubprotocol) ? liveSubprotocol : false;
}
