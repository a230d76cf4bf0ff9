import { describe, expect, it } from 'vitest';
import { FleetState } from './fleet-state.ts';
import { ev, frame, M0 } from './test-helpers/telemetry-events.ts';

const S = 1000;
const MIN = 60_000;

/** A frame of gateway `gw` at time `t` carrying `lifecycle`. */
const at = (gw: string, seq: number, t: number, lifecycle: Parameters<typeof frame>[3] = [], run = 1) => ({ ...frame(gw, seq, [], lifecycle, run), t });

describe('fleet state: resuming an earlier run', () => {
  it('drops writes to minutes already written, and rolls up the rest', () => {
    const state = new FleetState();
    state.resumeFrom(M0 + MIN);
    state.applyStoredEvents([ev.open(M0 + 30 * S, 'r1', 't1', 'c1', 'gw-a'), ev.close(M0 + 50 * S, 'r1', 't1', 'c1', 1006, 20 * S, { gw: 'gw-a' })]);
    state.applyStoredEvents([ev.open(M0 + MIN + 5 * S, 'r1', 't1', 'c2', 'gw-a')]);
    state.tick(M0 + 2 * MIN + 10 * S);
    const rollups = state.drainRollups();
    // Minute M0 is the earlier run's: not rolled up again. The reconnect at M0+65 s is this one's.
    expect(rollups.map((m) => m.minute)).toEqual([M0 + MIN]);
    expect(rollups[0]?.counters).toMatchObject({ reconnects: 1 });
    expect(state.stats().lateWrites).toBeGreaterThan(0);
    expect(state.settledBefore()).toBe(M0 + 2 * MIN);
  });

  it('seeds open connections without counting them, and counts a reconnect against them', () => {
    const state = new FleetState();
    state.resumeFrom(M0);
    state.seedGateways([{ gw: 'gw-a', run: 1, heardAt: M0 }]);
    state.seedConnections([{ gw: 'gw-a', rid: 'r1', tid: 't1', conn: 'c1', t: M0 - 3_600_000 }]);
    state.tick(M0);
    expect(state.figuresOf('r1', M0 + S)).toMatchObject({ connections: 1, connectedTerminals: 1, opens: 0, reconnects: 0 });
    expect(state.terminalsOf('r1', M0)[0]?.connections[0]?.since).toBe(M0 - 3_600_000);
    // The terminal opens a second connection before the first is reported closed: a reconnect.
    state.applyFrame(at('gw-a', 50, M0 + 5 * S, [ev.open(M0 + 4 * S, 'r1', 't1', 'c2', 'gw-a')]));
    state.tick(M0 + 6 * S);
    expect(state.figuresOf('r1', M0 + 6 * S)).toMatchObject({ connections: 2, reconnects: 1 });
  });

  it('positions a seeded gateway at its next frame, and takes its connections away if it restarted or went quiet', () => {
    const seeded = () => {
      const state = new FleetState({ gatewayTimeoutMs: 15_000 });
      state.resumeFrom(M0);
      state.seedGateways([{ gw: 'gw-a', run: 7, heardAt: M0 }]);
      state.seedConnections([{ gw: 'gw-a', rid: 'r1', tid: 't1', conn: 'c1', t: M0 - MIN }]);
      state.tick(M0);
      return state;
    };
    // Same run, any seq: applied, no loss counted, the connection stays.
    const same = seeded();
    expect(same.applyFrame(at('gw-a', 900, M0 + S, [], 7))).toBe('applied');
    expect(same.stats()).toMatchObject({ lostFrames: 0, connections: 1 });
    expect(same.applyFrame(at('gw-a', 900, M0 + S, [], 7))).toBe('duplicate');
    // A newer run: the process that held it is gone.
    const restarted = seeded();
    expect(restarted.applyFrame(at('gw-a', 1, M0 + S, [], 8))).toBe('applied');
    expect(restarted.stats().connections).toBe(0);
    // Quiet for longer than the timeout (by the state's clock): presumed dead.
    const quiet = seeded();
    quiet.tick(M0 + 15 * S);
    expect(quiet.stats().connections).toBe(1);
    quiet.tick(M0 + 16 * S);
    expect(quiet.stats().connections).toBe(0);
  });

  it('counts heartbeat intervals from each connection, as the earlier run did, not from its own first tick', () => {
    const state = new FleetState({ gatewayTimeoutMs: 60_000 }); // its gateway's frames are not the point here
    state.resumeFrom(M0);
    state.seedGateways([{ gw: 'gw-a', run: 1, heardAt: M0 }]);
    state.seedConnections([{ gw: 'gw-a', rid: 'r1', tid: 't1', conn: 'c1', t: M0 - 7 * S }]);
    for (let t = M0; t <= M0 + 30 * S; t += S) state.tick(t);
    // Opened at −7 s: intervals (15 s + 5 s grace) ran out at 13 s and 28 s.
    expect(state.figuresOf('r1', M0 + 30 * S)?.heartbeats.expected).toBe(2);
  });
});
