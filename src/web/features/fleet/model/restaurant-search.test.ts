/**
 * The fleet list's search by the restaurants file: a query finds a restaurant by its id, its
 * display name or one of its tags (case-insensitive); one without an entry is found by its id
 * alone, as before the directory; the tick-by-tick update applies the same search.
 */
import { describe, expect, it } from 'vitest';
import { figures } from '../../../live/test-helpers/live-fixtures.ts';
import { searchTextOf, updatedOrder, visibleRestaurants } from './restaurant-order.ts';

const names = searchTextOf([
  { rid: 'r-001', name: 'Pizza #1 Leeds', tags: ['region:south', 'brand:pizza'] },
  { rid: 'r-002', name: 'Burger Lille', tags: ['region:north', 'brand:burgers'] },
]);
const rs = new Map(['r-001', 'r-002', 'r-003'].map((rid) => [rid, figures(rid)] as const));
const shown = (q: string, withNames = true) => visibleRestaurants(rs, { q, status: null, names: withNames ? names : undefined }).map((r) => r.rid);

describe('fleet search by name and tag', () => {
  it('finds by name, by tag and by id; an unlisted restaurant by its id only', () => {
    expect(shown('leeds')).toEqual(['r-001']);
    expect(shown('LILLE')).toEqual(['r-002']);
    expect(shown('region:north')).toEqual(['r-002']);
    expect(shown('brand:')).toEqual(['r-001', 'r-002']);
    expect(shown('r-003')).toEqual(['r-003']);
    expect(shown('r-00')).toEqual(['r-001', 'r-002', 'r-003']);
    // Without the directory (still loading, or none): ids only, as today.
    expect(shown('leeds', false)).toEqual([]);
  });

  it('a restaurant patched in a tick is placed by the same search', () => {
    const filter = { q: 'burger', status: null, names };
    const before = visibleRestaurants(rs, filter);
    const next = new Map(rs).set('r-001', figures('r-001', { status: 'offline', connections: 0 })).set('r-002', figures('r-002', { status: 'degraded', connections: 3 }));
    expect(updatedOrder(before, next, new Set(['r-001', 'r-002']), filter).map((r) => [r.rid, r.status])).toEqual([['r-002', 'degraded']]);
  });
});
