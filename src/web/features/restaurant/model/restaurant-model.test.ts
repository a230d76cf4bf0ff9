import { describe, expect, it } from 'vitest';
import { decodeAnswer, restaurantAnswerSchema, restaurantSeriesAnswerSchema } from '../../../../protocol/api.ts';
import { restaurantAnswer, restaurantSeriesAnswer, seriesPoint, terminalWire } from '../../../../protocol/test-helpers/api-fixtures.ts';
import { restaurantAccess } from './access.ts';
import { restaurantPointsOf } from './restaurant-series.ts';
import { terminalRowsOf } from './terminal-rows.ts';

describe('restaurant access', () => {
  const manager = { role: 'manager' as const, restaurants: ['r-001'] };
  it('waits for the snapshot before deciding', () => {
    expect(restaurantAccess('r-001', null, false)).toBe('pending');
  });
  it('a manager outside their list is not in scope, whatever the snapshot says', () => {
    expect(restaurantAccess('r-002', manager, true)).toBe('not_in_scope');
    expect(restaurantAccess('r-001', manager, true)).toBe('allowed');
  });
  it('a restaurant missing from the snapshot reads the same as someone else’s', () => {
    expect(restaurantAccess('r-404', { role: 'support', restaurants: null }, false)).toBe('not_in_scope');
  });
});

describe('terminal rows', () => {
  it('reads the documented fields and puts disconnected terminals first', () => {
    const rows = terminalRowsOf(
      restaurantAnswerSchema.parse(
        restaurantAnswer([
          terminalWire('t-2', { state: 'connected', health: 'healthy', connectedSince: 1_700_000_000_000, lastHeartbeatAt: 1_700_000_100_000, rttMs: 42 }),
          terminalWire('t-1', { rid: 'r-1', state: 'disconnected', health: 'unhealthy', connectedSince: null, disconnectedAt: 1_700_000_000_000, lastHeartbeatAt: null, rttMs: null, lastClose: { t: 1_700_000_000_000, code: 4008, cause: 'heartbeat_timeout', reason: '<b>x</b>' } }),
        ]),
      ),
    );
    expect(rows.map((r) => [r.tid, r.state, r.health])).toEqual([
      ['t-1', 'disconnected', 'unhealthy'],
      ['t-2', 'connected', 'healthy'],
    ]);
    expect(rows[0]!.since).toBe(1_700_000_000_000);
    expect(rows[0]!.lastClose).toBe('4008 heartbeat timeout — <b>x</b>');
    expect(rows[1]!.rttMs).toBe(42);
  });
  it('anything unreadable fails decoding and names the field, rather than reading as data', () => {
    expect(decodeAnswer(restaurantAnswerSchema, 'nope').ok).toBe(false);
    const wrong = decodeAnswer(restaurantAnswerSchema, restaurantAnswer([{ ...terminalWire('t-9'), rttMs: 'fast' as unknown as number }]));
    expect(wrong.ok === false && wrong.error.message).toMatch(/terminals\.0\.rttMs/);
  });
});

describe('restaurant series', () => {
  it('reads points with percentiles and the gauge as last/min/max', () => {
    const pts = restaurantPointsOf(
      restaurantSeriesAnswerSchema.parse(
        restaurantSeriesAnswer([seriesPoint(1_700_000_120_000, { connections: { last: 3, min: 1, max: 4 }, rttMs: { p50: 1, p95: 2, p99: 3 } }), seriesPoint(1_700_000_060_000, { connections: { last: 4, min: 4, max: 4 }, heartbeatSuccess: 1, rttMs: null })]),
      ),
    );
    expect(pts.map((p) => [p.t, p.connections, p.p95])).toEqual([[1_700_000_060_000, 4, null], [1_700_000_120_000, 3, 2]]);
  });
});
