/**
 * Who is calling the API: the viewer token from `Authorization: Bearer <jwt>`, verified on every
 * call (no session, nothing cached), turned into the same `Scope` the stream uses, so "a manager
 * never sees another restaurant" is decided by one function for both.
 *
 * The token is never accepted from the query string: URLs land in logs and browser history.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PulseError } from '../../../protocol/errors.ts';
import { verifyViewerToken, type ViewerClaims } from '../../auth/tokens.ts';
import { scopeOfClaims, type Scope } from '../live/viewer-scope.ts';

export type Viewer = { claims: ViewerClaims; scope: Scope };

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*Bearer\s+([^\s,]+)\s*$/i.exec(header);
  return m?.[1];
}

/** The verified viewer, or a PulseError with TOKEN_MISSING / TOKEN_EXPIRED / TOKEN_INVALID. */
export function authenticate(headers: IncomingHttpHeaders, secret: string): Viewer {
  const token = bearerOf(headers.authorization);
  const verified = verifyViewerToken(secret, token);
  if (!verified.ok) {
    const code = verified.reason === 'missing' ? 'TOKEN_MISSING' : verified.reason === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID';
    // The reason is for our log; the caller gets the bare message ("Invalid token").
    throw new PulseError(code);
  }
  return { claims: verified.claims, scope: scopeOfClaims(verified.claims) };
}

/**
 * Refuses a restaurant outside the viewer's scope. A manager asking for an unknown restaurant gets
 * the same 403 as for someone else's: otherwise the answers would tell which ids exist.
 */
export function requireInScope(viewer: Viewer, rid: string | undefined): void {
  if (!viewer.scope.includes(rid)) throw new PulseError('NOT_IN_SCOPE');
}
