/** Replay answers as live figures: exact counts, minute-resolution rates, fleet shares left empty. */
import { describe, expect, it } from 'vitest';
import type { ReplayRestaurantWire } from '../../../../protocol/replay.ts';
import { deltaOfChanges, figuresOfReplay, replayTotals } from './replay-figures.ts';

const T = 1_700_000_040_000;
function restaurant(rid: string, status: ReplayRestaurantWire['status'], connections: number, minute: Partial<NonNullable<ReplayRestaurantWire['minute']>> | null = null): ReplayRestaurantWire {
  return {
    rid,
    status,
    connections,
    connectedTerminals: connections,
    expected: 2,
    terminals: { healthy: connections, degraded: 0, unhealthy: 0 },
    errorsLastMinute: status === 'offline' ? 2 : 0,
    minute: minute && { minute: T, connections: null, expected: null, opens: 0, closes: {}, reconnects: 0, heartbeatSuccess: null, rttMs: null, deliveryMs: null, durationMs: null, errors: {}, errorsTotal: 0, stability: null, ...minute },
    terminalList: [],
  };
}

describe('replay figures', () => {
  it('takes the instant exactly and the rolling figures from the stored minute', () => {
    const r = figuresOfReplay(restaurant('r-001', 'healthy', 2, { reconnects: 3, heartbeatSuccess: 0.95, rttMs: { p50: 10, p95: 40, p99: 80 }, errors: { abnormal_close: 1 } }));
    expect(r).toEqual({ rid: 'r-001', status: 'healthy', connections: 2, expected: 2, reconnectsPerMin: 3, heartbeatSuccess: 0.95, rttMs: { p50: 10, p95: 40, p99: 80 }, deliveryMs: null, errors: { abnormal_close: 1 }, errorsPerMin: 0, stability: null });
    expect(figuresOfReplay(restaurant('r-002', 'offline', 0))).toMatchObject({ reconnectsPerMin: 0, heartbeatSuccess: null, rttMs: null, errorsPerMin: 2 });
  });

  it('sums the fleet and leaves what it cannot merge empty', () => {
    const t = replayTotals([figuresOfReplay(restaurant('r-001', 'healthy', 2, { reconnects: 1, errors: { abnormal_close: 1 } })), figuresOfReplay(restaurant('r-002', 'offline', 0, { errors: { abnormal_close: 2 } }))]);
    expect(t).toMatchObject({ restaurants: 2, connections: 2, expected: 4, reconnectsPerMin: 1, errorsPerMin: 2, errors: { abnormal_close: 3 }, heartbeatSuccess: null, rttMs: null });
    expect(t.byStatus).toEqual({ healthy: 1, degraded: 0, unhealthy: 0, offline: 1, unknown: 0 });
  });

  it('makes a change frame a numbered delta with the totals after it', () => {
    const fleet = new Map([['r-001', figuresOfReplay(restaurant('r-001', 'healthy', 2))], ['r-002', figuresOfReplay(restaurant('r-002', 'healthy', 2))]]);
    const d = deltaOfChanges(fleet, { t: T + 1000, restaurants: [restaurant('r-002', 'offline', 0)], removed: ['r-001'] }, 7);
    expect(d).toMatchObject({ type: 'delta', epoch: 'replay', seq: 7, t: T + 1000, removed: ['r-001'] });
    expect(d.restaurants.map((r) => [r.rid, r.status])).toEqual([['r-002', 'offline']]);
    expect([...fleet.keys()]).toEqual(['r-002']);
    expect(d.totals.byStatus.offline).toBe(1);
  });
});
