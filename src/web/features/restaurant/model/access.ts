/**
 * Whether the viewer may see a restaurant. The hub enforces scope on every frame and call; this
 * only decides what the page says, and keeps the page from asking for what is not the viewer's:
 * a manager's deep link to another restaurant shows "not in your scope" and fetches nothing.
 */
import type { ViewerScope } from '../../../../protocol/live.ts';

export type Access = 'pending' | 'allowed' | 'not_in_scope';

export function restaurantAccess(rid: string, scope: ViewerScope | null, inSnapshot: boolean): Access {
  if (scope === null) return 'pending';
  if (scope.restaurants !== null && !scope.restaurants.includes(rid)) return 'not_in_scope';
  // Unknown and someone else's must look the same, or the page tells which ids exist.
  return inSnapshot ? 'allowed' : 'not_in_scope';
}
