/**
 * What one viewer may see. Every frame a viewer gets is cut from the fleet through its scope, so
 * this is the single place where "a manager never receives another restaurant's data" is decided.
 */
import type { ViewerScope } from '../../../protocol/live.ts';
import type { ViewerClaims } from '../../auth/tokens.ts';

export interface Scope {
  /** Equal scopes share a key, so frames and totals are computed once per key, not per viewer. */
  readonly key: string;
  readonly all: boolean;
  readonly wire: ViewerScope;
  /** An item without a restaurant (an unreadable token's auth failure) is visible to `all` only. */
  includes(rid: string | undefined): boolean;
}

export const allKey = 'all';

export function scopeOfClaims(claims: Pick<ViewerClaims, 'role' | 'restaurants'>): Scope {
  if (claims.role !== 'manager') {
    return { key: allKey, all: true, wire: { role: claims.role, restaurants: null }, includes: () => true };
  }
  // A manager token without a list sees nothing rather than everything (verifyViewerToken already
  // refuses such tokens; this is the second line).
  const list = [...new Set(claims.restaurants ?? [])].sort();
  const set = new Set(list);
  return {
    key: `m:${list.join(',')}`,
    all: false,
    wire: { role: 'manager', restaurants: list },
    includes: (rid) => rid !== undefined && set.has(rid),
  };
}
