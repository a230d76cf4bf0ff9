import { describe, expect, it } from 'vitest';
import { addEvents, emptyFeed } from '../../../live/event-feed.ts';
import { pointOf } from '../../../live/fleet-series.ts';
import { figures, openEvent, totals } from '../../../live/test-helpers/live-fixtures.ts';
import { mergeHistory, samePointsOr, thin } from './chart-data.ts';
import { filterFeed, newSince } from './feed-filter.ts';
import { readFleetParams, withFleetParam } from './fleet-params.ts';
import { kpiTiles, topErrors } from './kpi-tiles.ts';
import { countByStatus, updatedOrder, visibleRestaurants, worstFirst } from './restaurant-order.ts';

describe('restaurant list', () => {
  const rs = [
    figures('r-001'),
    figures('r-002', { status: 'unhealthy', connections: 0 }),
    figures('r-003', { status: 'degraded', connections: 3 }),
    figures('r-004', { status: 'unhealthy', connections: 2 }),
    figures('r-005', { status: 'unknown', connections: 0, expected: 0 }),
    figures('r-006', { connections: 2 }),
    figures('r-007', { status: 'offline', connections: 0 }),
  ];

  it('puts the worst first: status (offline before unhealthy), then share connected, then id', () => {
    expect(visibleRestaurants(rs, { q: '', status: null }).map((r) => r.rid)).toEqual(['r-007', 'r-002', 'r-004', 'r-003', 'r-005', 'r-006', 'r-001']);
  });

  it('filters by id substring (any case) and by status', () => {
    expect(visibleRestaurants(rs, { q: 'R-00', status: 'unhealthy' }).map((r) => r.rid)).toEqual(['r-002', 'r-004']);
    expect(visibleRestaurants(rs, { q: '6', status: null }).map((r) => r.rid)).toEqual(['r-006']);
    expect(visibleRestaurants(rs, { q: '', status: 'offline' }).map((r) => r.rid)).toEqual(['r-007']);
    expect(countByStatus(rs)).toEqual({ offline: 1, unhealthy: 2, degraded: 1, unknown: 1, healthy: 2 });
  });

  // How fast is bench:ui's to measure (tick p95), not a timer here: this one checks the order.
  it('orders 2,000 restaurants worst first: each next to its neighbour in worstFirst order, none lost', () => {
    const many = Array.from({ length: 2000 }, (_, i) => figures(`r-${i}`, { connections: i % 5, status: (['healthy', 'degraded', 'unhealthy', 'unknown'] as const)[i % 4] }));
    const shown = visibleRestaurants(many, { q: '', status: null });
    expect(shown).toHaveLength(2000);
    expect(new Set(shown.map((r) => r.rid)).size).toBe(2000);
    for (let i = 1; i < shown.length; i++) expect(worstFirst(shown[i - 1]!, shown[i]!)).toBeLessThan(0);
    expect(shown[0]!.status).toBe('unhealthy');
    expect(shown.at(-1)!.status).toBe('healthy');
  });

  it('starting from the order shown last changes nothing but the work: new figures, new and gone restaurants, filters', () => {
    const before = new Map(rs.map((r) => [r.rid, r]));
    const shown = visibleRestaurants(before, { q: '', status: null });
    const now = new Map(before);
    now.set('r-001', figures('r-001', { status: 'unhealthy', connections: 1 }));
    now.delete('r-004');
    now.set('r-009', figures('r-009', { status: 'degraded' }));
    for (const filter of [{ q: '', status: null }, { q: '00', status: 'unhealthy' as const }]) {
      expect(visibleRestaurants(now, filter, shown)).toEqual(visibleRestaurants(now.values(), filter));
    }
  });

  it('brought up to date from the changed rids alone, the order is the one a full sort gives', () => {
    const statuses = ['healthy', 'degraded', 'unhealthy', 'unknown', 'offline'] as const;
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 16_807) % 2_147_483_647) % n;
    const make = (i: number) => figures(`r-${i}`, { status: statuses[random(5)]!, connections: random(5), errorsPerMin: random(3) });
    let map = new Map(Array.from({ length: 300 }, (_, i) => [`r-${i}`, make(i)]));
    for (const filter of [{ q: '', status: null }, { q: '1', status: 'healthy' as const }]) {
      let shown = visibleRestaurants(map, filter);
      for (let tick = 0; tick < 20; tick++) {
        const next = new Map(map);
        const changed = new Set<string>();
        for (let k = 0; k < 15; k++) {
          const i = random(320);
          changed.add(`r-${i}`);
          if (random(10) === 0) next.delete(`r-${i}`);
          else next.set(`r-${i}`, make(i));
        }
        shown = updatedOrder(shown, next, changed, filter);
        expect(shown).toEqual(visibleRestaurants(next.values(), filter));
        map = next;
      }
    }
  });
});

describe('URL params', () => {
  it('reads known values and ignores the rest', () => {
    expect(readFleetParams(new URLSearchParams('q=r-00&status=unhealthy&feedType=close&feedRid=r-002'))).toEqual({
      q: 'r-00',
      status: 'unhealthy',
      feedType: 'close',
      feedRid: 'r-002',
    });
    expect(readFleetParams(new URLSearchParams('status=<img>&feedType=drop'))).toEqual({ q: '', status: null, feedType: null, feedRid: '' });
  });
  it('writes one param and drops empty ones', () => {
    const p = withFleetParam(new URLSearchParams('q=a&status=healthy'), 'q', '');
    expect(p.toString()).toBe('status=healthy');
    expect(withFleetParam(p, 'feedRid', 'r-1').toString()).toBe('status=healthy&feedRid=r-1');
  });
});

describe('KPI tiles', () => {
  it('reads connected / expected and the worst status', () => {
    const tiles = kpiTiles(totals({ connections: 12, expected: 14, byStatus: { healthy: 1, degraded: 0, unhealthy: 1, offline: 0, unknown: 0 } }));
    const byId = Object.fromEntries(tiles.map((t) => [t.id, t]));
    expect(byId.connected!.value).toBe('12 / 14');
    expect(byId.healthy!.value).toBe('1 / 2');
    expect(byId.healthy!.tone).toBe('bad');
    // A restaurant with none of its terminals connected is as bad, and said by name.
    const offline = Object.fromEntries(kpiTiles(totals({ restaurants: 3, byStatus: { healthy: 2, degraded: 0, unhealthy: 0, offline: 1, unknown: 0 } })).map((t) => [t.id, t]));
    expect(offline.healthy).toMatchObject({ value: '2 / 3', detail: '1 offline · 0 unhealthy · 0 degraded', tone: 'bad' });
    expect(byId.rtt!.value).toBe('20 ms / 40 ms / 60 ms');
  });
  it('shows no data as a dash', () => {
    const tiles = kpiTiles(totals({ heartbeatSuccess: null, rttMs: null }));
    expect(tiles.find((t) => t.id === 'heartbeat')!.value).toBe('—');
    expect(tiles.find((t) => t.id === 'rtt')!.value).toBe('—');
  });
  it('names the most frequent errors', () => {
    expect(topErrors({ auth_failed: 2, heartbeat_timeout: 5, too_large: 1 })).toBe('heartbeat timeout 5 · auth failed 2');
    expect(topErrors({})).toBe('no errors');
  });
});

describe('event feed filter', () => {
  const feed = addEvents(emptyFeed(), [openEvent(1, 't-1', 1, 'r-001'), openEvent(2, 't-2', 2, 'r-002'), { ...openEvent(3, 't-3', 3, 'r-002'), type: 'limit', kind: 'rate', detail: '' } as never]);
  it('by type and restaurant', () => {
    expect(filterFeed(feed.entries, null, 'r-002').map((e) => e.event.t)).toEqual([3, 2]);
    expect(filterFeed(feed.entries, 'open', '').map((e) => e.event.t)).toEqual([2, 1]);
  });
  it('counts what arrived since a pause', () => {
    expect(newSince(feed.entries, 1)).toBe(2);
  });
});

describe('chart data', () => {
  it('history fills the hour before the live series, never overlapping it', () => {
    const p = (t: number, c: number) => pointOf(t, totals({ connections: c }), [], 10_000);
    const merged = mergeHistory([p(0, 1), p(10_000, 1), p(20_000, 1)], [p(20_000, 2), p(30_000, 2)], 30_000);
    expect(merged.map((x) => [x.t, x.connections])).toEqual([[0, 1], [10_000, 1], [20_000, 2], [30_000, 2]]);
  });
  it('thins to the budget and keeps the newest point', () => {
    const pts = Array.from({ length: 1234 }, (_, i) => i);
    const out = thin(pts, 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.at(-1)).toBe(1233);
  });
  it('keeps the points drawn when the window moved but dropped none, so the charts do not redraw', () => {
    const p = (t: number, c: number) => pointOf(t, totals({ connections: c }), [], 60_000);
    const live = [p(60_000, 1), p(120_000, 2)];
    const drawn = mergeHistory([], live, 120_000);
    expect(samePointsOr(drawn, mergeHistory([], live, 170_000))).toBe(drawn);
    expect(samePointsOr(drawn, mergeHistory([], live, 3_661_000))).toEqual([p(120_000, 2)]);
    expect(samePointsOr(drawn, mergeHistory([], [...live, p(180_000, 3)], 180_000))).toHaveLength(3);
  });
});

describe('list keys', () => {
  it('moves by one, by a page, to the ends, and stays inside the list', async () => {
    const { nextRowIndex } = await import('./list-keys.ts');
    expect(nextRowIndex('ArrowDown', 0, 10, 5)).toBe(1);
    expect(nextRowIndex('ArrowUp', 0, 10, 5)).toBe(0);
    expect(nextRowIndex('PageDown', 7, 10, 5)).toBe(9);
    expect(nextRowIndex('Home', 7, 10, 5)).toBe(0);
    expect(nextRowIndex('End', 0, 10, 5)).toBe(9);
    expect(nextRowIndex('a', 0, 10, 5)).toBeNull();
    expect(nextRowIndex('ArrowDown', 0, 0, 5)).toBeNull();
  });
});
