import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import { ev, frame, M0 } from '../../core/test-helpers/telemetry-events.ts';
import { fleetTotalsWireSchema, restaurantFiguresWireSchema } from '../../protocol/live.ts';
import { createHubFleet } from './hub-fleet.ts';

const S = 1000;

describe('hub fleet', () => {
  it('sends "offline" for a restaurant whose expected terminals are all gone, and counts it apart in the totals', () => {
    const clock = new FakeClock(M0);
    const fleet = createHubFleet({ clock, known: new Map([[terminalKey('r1', 't1'), { rid: 'r1', tid: 't1', lastSeen: M0 - 86_400_000 }]]) });
    fleet.settle(M0);
    const wire = fleet.view.restaurant('r1', M0 + S);
    expect(wire).toMatchObject({ status: 'offline', connections: 0, expected: 1 });
    expect(restaurantFiguresWireSchema.parse(wire).status).toBe('offline');
    const totals = fleet.view.totals(M0 + S, () => true);
    expect(totals.byStatus).toEqual({ healthy: 0, degraded: 0, unhealthy: 0, offline: 1, unknown: 0 });
    expect(fleetTotalsWireSchema.parse(totals).byStatus.offline).toBe(1);
    // Back: no longer offline (one of one connected, just opened).
    fleet.apply(frame('gw-a', 1, [], [ev.open(M0 + 2 * S, 'r1', 't1', 'c1', 'gw-a')]));
    fleet.settle(M0 + 3 * S);
    expect(fleet.view.restaurant('r1', M0 + 4 * S)?.status).toBe('healthy');
  });

  it('counts an open within 10 min of a close from before the restart as a reconnect (last close from the store)', () => {
    const clock = new FakeClock(M0);
    const fleet = createHubFleet({ clock, known: new Map([[terminalKey('r1', 't1'), { rid: 'r1', tid: 't1', lastSeen: M0 - 120 * S, lastClose: M0 - 120 * S }]]) });
    fleet.settle(M0);
    fleet.apply(frame('gw-a', 1, [], [ev.open(M0 + S, 'r1', 't1', 'c1', 'gw-a')]));
    fleet.settle(M0 + 3 * S);
    expect(fleet.state.figuresOf('r1', M0 + 3 * S)?.reconnects).toBe(1);
  });

  it('applies a frame without its lifecycle events when they came from the store, and says nothing of them', () => {
    const clock = new FakeClock(M0);
    const fleet = createHubFleet({ clock, known: new Map() });
    const f = frame('gw-a', 1, [], [ev.open(M0 + S, 'r1', 't1', 'c1', 'gw-a')]);
    expect(fleet.apply(f, { lifecycle: false })).toEqual({ result: 'applied', lifecycle: [] });
    expect(fleet.counts().connections).toBe(0);
    expect(fleet.apply(frame('gw-a', 2, [], [ev.open(M0 + 2 * S, 'r1', 't2', 'c2', 'gw-a')])).lifecycle).toHaveLength(1);
    expect(fleet.view.terminalRestaurants('t2')).toEqual(['r1']);
  });

  it('forgets which restaurants have a terminal id once the registry forgets the terminal (seen over 7 days ago)', () => {
    const clock = new FakeClock(M0);
    const fleet = createHubFleet({ clock, known: new Map() });
    fleet.apply(frame('gw-a', 1, [], [ev.open(M0 + S, 'r1', 'till-1', 'c1', 'gw-a'), ev.open(M0 + S, 'r2', 'till-1', 'c2', 'gw-a')]));
    fleet.apply(frame('gw-a', 2, [], [ev.close(M0 + 2 * S, 'r1', 'till-1', 'c1', 1000, S, { gw: 'gw-a' })]));
    fleet.settle(M0 + 3 * S);
    expect(fleet.view.terminalRestaurants('till-1')).toEqual(['r1', 'r2']);
    // Eight days on, r1's till-1 (closed, unseen since) is forgotten; r2's, back just now, is not.
    const later = M0 + 8 * 86_400_000;
    clock.advance(later - M0);
    fleet.apply(frame('gw-a', 3, [], [ev.open(later - S, 'r2', 'till-1', 'c3', 'gw-a')]));
    fleet.settle(later);
    expect(fleet.view.terminalRestaurants('till-1')).toEqual(['r2']);
  });
});
