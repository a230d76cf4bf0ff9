import { describe, expect, it } from 'vitest';
import { census, ConnectionRegistry } from './connection-registry.ts';
import { T0 } from './test-helpers/telemetry-events.ts';

const S = 1000;

describe('connection registry', () => {
  it('counts a terminal that left one gateway and came back through another as one reconnect', () => {
    const reg = new ConnectionRegistry();
    reg.open('gw-a', 'r1', 't1', 'c1', T0);
    reg.close('gw-a', 'r1', 't1', 'c1', T0 + 10 * S);
    reg.open('gw-b', 'r1', 't1', 'c9', T0 + 12 * S);
    const r = reg.restaurant('r1');
    expect(r.windows.totals.reconnects).toBe(1);
    expect([...r.connections.values()].map((c) => `${c.gw} ${c.conn}`)).toEqual(['gw-b c9']);
  });

  it('adopts a connection from a beat, but not one closed lately (an old beat is old news)', () => {
    const reg = new ConnectionRegistry();
    const r = reg.restaurant('r1');
    reg.beat('gw-a', r, { tid: 't1', conn: 'c1', t: T0, rtt: 12, onTime: true });
    expect(r.connections.size).toBe(1);
    reg.close('gw-a', 'r1', 't1', 'c1', T0 + S);
    reg.beat('gw-a', r, { tid: 't1', conn: 'c1', t: T0 + 500, onTime: true });
    expect(r.connections.size).toBe(0);
  });

  it('takes a dead gateway\'s connections away, and counts terminals by health and expectation in one pass', () => {
    const reg = new ConnectionRegistry();
    reg.seedTerminal({ rid: 'r1', tid: 't0', lastSeen: T0 - 60 * S });
    reg.open('gw-a', 'r1', 't1', 'c1', T0);
    reg.open('gw-b', 'r1', 't2', 'c2', T0);
    const r = reg.restaurant('r1');
    const seen: string[] = [];
    expect(census(r, T0 + 5 * S, T0 - 3600 * S, (t) => seen.push(t.tid))).toEqual({ connected: 2, expected: 3, health: { healthy: 2, degraded: 0, unhealthy: 0 } });
    expect(seen.sort()).toEqual(['t1', 't2']);
    reg.dropGateway('gw-a', T0 + 6 * S);
    expect(census(r, T0 + 6 * S, T0 - 3600 * S)).toMatchObject({ connected: 1, expected: 3 });
    // Seen before the horizon and not connected: no longer expected.
    expect(census(r, T0 + 6 * S, T0 - 30 * S).expected).toBe(2);
  });
});
