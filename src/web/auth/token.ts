/**
 * The viewer's sign-in token. `pulse start` prints `http://HOST/#token=<jwt>`: the fragment is never
 * sent to a server, so the token stays out of access logs. We keep it for the tab (sessionStorage,
 * gone when the tab closes) and take it out of the address bar so it is not bookmarked or shared.
 *
 * `exp` is decoded here only to word the sign-in page; the hub alone decides whether a token is good.
 */

export const tokenStorageKey = 'pulse.viewerToken';

export type TokenProblem = 'missing' | 'expired' | 'refused';

/** The token in a location hash such as `#token=abc` (other fragment parameters are kept apart). */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}

/** The hash without its `token` parameter: '' when nothing else was there. */
export function hashWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  params.delete('token');
  const rest = params.toString();
  return rest ? `#${rest}` : '';
}

/** The `exp` claim (seconds since epoch) of a JWT, unverified; null when unreadable or absent. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== 'object' || claims === null) return null;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

/** What to tell the viewer before even trying: nothing (null), or why there is no usable token. */
export function tokenProblem(token: string | null, nowMs: number): TokenProblem | null {
  if (!token) return 'missing';
  const exp = tokenExpiry(token);
  // An unreadable token is for the hub to refuse; it then reads "was refused".
  if (exp !== null && exp * 1000 <= nowMs) return 'expired';
  return null;
}

export interface TokenPlace {
  hash: string;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Rewrites the address bar without the token (history.replaceState). */
  replaceHash(hash: string): void;
}

/**
 * Takes the token from the fragment (storing it) or, failing that, from the tab's storage. A new
 * link always wins over a stored token: it is how a viewer recovers from an expired one.
 */
export function claimToken(place: TokenPlace): string | null {
  const fromLink = tokenFromHash(place.hash);
  if (fromLink) {
    try {
      place.storage.setItem(tokenStorageKey, fromLink);
    } catch {
      // Storage full or disabled: the token still serves this page load.
    }
    place.replaceHash(hashWithoutToken(place.hash));
    return fromLink;
  }
  try {
    return place.storage.getItem(tokenStorageKey);
  } catch {
    return null;
  }
}
