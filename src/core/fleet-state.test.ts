import { describe, expect, it } from 'vitest';
import { FleetState } from './fleet-state.ts';
import { decodeHistogram } from './histogram.ts';
import { totals } from './figures.ts';
import { FleetDriver } from './test-helpers/fleet-driver.ts';
import { ev, frame, M0 } from './test-helpers/telemetry-events.ts';

const S = 1000;
/** HDR answers with the middle of a bucket: within 0.4 % of the sample. */
const near = (got: number | undefined, want: number) => expect(Math.abs((got ?? NaN) - want) / want).toBeLessThan(0.004);

describe('fleet state: delivery', () => {
  it('applies a frame once, ignores its redelivery and counts a gap per gateway', () => {
    const state = new FleetState();
    const f1 = frame('gw-a', 1, [], [ev.open(M0, 'r1', 't1', 'c1', 'gw-a')]);
    expect(state.applyFrame(f1)).toBe('applied');
    expect(state.applyFrame(f1)).toBe('duplicate');
    expect(state.applyFrame(frame('gw-b', 1, []))).toBe('applied');
    expect(state.applyFrame(frame('gw-a', 2, []))).toBe('applied');
    expect(state.applyFrame(frame('gw-a', 5, []))).toEqual({ gap: 2 });
    expect(state.applyFrame(frame('gw-a', 3, []))).toBe('duplicate'); // too late: already counted lost
    expect(state.applyFrame(frame('gw-b', 2, []))).toBe('applied');
    expect(state.stats()).toMatchObject({ frames: 5, duplicates: 2, lostFrames: 2, connections: 1 });
    expect(state.gatewayStatus().map((g) => [g.gw, g.lastSeq, g.lostFrames])).toEqual([
      ['gw-a', 5, 2],
      ['gw-b', 2, 0],
    ]);
  });

  it('takes the first frame heard from a gateway as its position, and a new run as a restart', () => {
    const state = new FleetState();
    expect(state.applyFrame(frame('gw-a', 900, [], [ev.open(M0, 'r1', 't1', 'c1', 'gw-a')]))).toBe('applied');
    expect(state.figuresOf('r1', M0 + S)?.connections).toBe(1);
    // The gateway restarted: its old connections died with it; seq starts again at 1.
    expect(state.applyFrame(frame('gw-a', 1, [], [], 2))).toBe('applied');
    expect(state.figuresOf('r1', M0 + 2 * S)?.connections).toBe(0);
    expect(state.applyFrame(frame('gw-a', 901, [], [], 1))).toBe('duplicate'); // a straggler of the old run
    expect(state.stats()).toMatchObject({ staleFrames: 1, lostFrames: 0 });
  });

  it('drops the connections of a gateway it stops hearing from, and says so', () => {
    const state = new FleetState({ gatewayTimeoutMs: 15_000 });
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0 + 100, 'r1', 't1', 'c1', 'gw-a'), ev.open(M0 + 200, 'r1', 't2', 'c2', 'gw-b'));
    d.runUntil(M0 + 2 * S);
    expect(state.figuresOf('r1', d.now)?.connections).toBe(2);
    // gw-a goes silent; gw-b keeps publishing (empty frames are its heartbeat).
    d.aggregators.delete('gw-a');
    // Last heard at the tick of M0 + 1 s (frames are applied between ticks): dead once 15 s have passed.
    d.runUntil(M0 + 16 * S);
    expect(state.figuresOf('r1', d.now)?.connections).toBe(2);
    d.runUntil(M0 + 17 * S);
    expect(state.figuresOf('r1', d.now)?.connections).toBe(1);
    expect(state.gatewayStatus().find((g) => g.gw === 'gw-a')?.alive).toBe(false);
  });
});

describe('fleet state: figures', () => {
  it('counts a reconnect through another gateway exactly once, whichever frame arrives first', () => {
    for (const order of [['gw-b', 'gw-a'], ['gw-a', 'gw-b']] as const) {
      const state = new FleetState();
      const d = new FleetDriver(state, M0);
      d.add(ev.open(M0 + 100, 'r1', 't1', 'c1', 'gw-a'));
      d.runUntil(M0 + 2 * S);
      d.add(ev.close(M0 + 5_000, 'r1', 't1', 'c1', 1006, 4_900, { gw: 'gw-a' }), ev.open(M0 + 6_000, 'r1', 't1', 'c9', 'gw-b'));
      const frames = d.flushAt(M0 + 7 * S);
      for (const gw of order) state.applyFrame(frames.get(gw)!);
      for (const gw of order) expect(state.applyFrame(frames.get(gw)!)).toBe('duplicate');
      state.tick(M0 + 7 * S);
      const f = state.figuresOf('r1', M0 + 8 * S)!;
      expect([f.reconnects, f.opens, f.connections, f.connectedTerminals]).toEqual([1, 2, 1, 1]);
      expect(f.closes).toEqual({ 1006: 1 });
      expect(f.errors).toEqual({ abnormal_close: 1 });
      expect(state.totalsOf('r1').reconnects).toBe(1);
    }
  });

  it('heartbeat success = on-time heartbeats / expected (one per 15 s interval, plus 5 s grace, per connected terminal)', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0, 'r1', 't1', 'c1'), ev.open(M0, 'r1', 't2', 'c2'));
    for (const at of [15, 30, 45, 60, 75]) d.add(ev.beat(M0 + at * S, 'r1', 't1', 'c1', true, 10));
    for (const at of [15, 30, 45]) d.add(ev.beat(M0 + at * S, 'r1', 't2', 'c2', true, 20));
    d.add(ev.beat(M0 + 70 * S, 'r1', 't2', 'c2', false, 30)); // late: arrived, but does not count as success
    d.runUntil(M0 + 80 * S);
    const f = state.figuresOf('r1', M0 + 80 * S)!;
    // The window is [20 s, 80 s): intervals ran out at 20, 35, 50 and 65 s for each terminal: 8
    // expected; on time in the window: t1 at 30, 45, 60, 75 and t2 at 30, 45.
    expect(f.heartbeats).toEqual({ onTime: 6, late: 1, expected: 8 });
    expect(f.heartbeatSuccess).toBe(0.75);
    near(f.rttMs?.p50, 10);
    near(f.rttMs?.p99, 30);
  });

  it('expects no heartbeat whose interval (plus grace) has not run out: after an open, and after the hub started', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0 + 500, 'r1', 't1', 'c1'));
    d.runUntil(M0 + 20 * S);
    // 19.5 s connected, the first beat due by 20.5 s: nothing is missing yet.
    expect(state.figuresOf('r1', d.now)).toMatchObject({ heartbeats: { onTime: 0, expected: 0 }, heartbeatSuccess: null, status: 'healthy' });
    d.runUntil(M0 + 22 * S);
    // Now one ran out with no heartbeat: missed.
    expect(state.figuresOf('r1', d.now)).toMatchObject({ heartbeats: { onTime: 0, expected: 1 }, heartbeatSuccess: 0 });

    // A hub that starts while terminals are long connected (it adopts them from their beats) has
    // watched no interval run out in its first 20 s.
    const late = new FleetState();
    const h = new FleetDriver(late, M0);
    for (const at of [3, 18]) h.add(ev.beat(M0 + at * S, 'r1', 't1', 'c1', true, 10), ev.beat(M0 + at * S + 700, 'r1', 't2', 'c2', true, 10));
    h.runUntil(M0 + 20 * S);
    expect(late.figuresOf('r1', h.now)).toMatchObject({ connectedTerminals: 2, heartbeats: { onTime: 4, expected: 0 }, heartbeatSuccess: null, status: 'healthy' });
    for (const at of [33, 48]) h.add(ev.beat(M0 + at * S, 'r1', 't1', 'c1', true, 10), ev.beat(M0 + at * S + 700, 'r1', 't2', 'c2', true, 10));
    h.runUntil(M0 + 60 * S);
    // Since 0 s: t1's intervals ran out at 23 and 38 s (53 s too), t2's at 23.7, 38.7, 53.7 s.
    expect(late.figuresOf('r1', h.now)).toMatchObject({ heartbeats: { onTime: 8, expected: 6 }, heartbeatSuccess: 1, status: 'healthy' });
  });

  it('takes the heartbeat interval and grace as parameters (compressed runs)', () => {
    const state = new FleetState({ heartbeatIntervalMs: 1_000, heartbeatGraceMs: 500 });
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0, 'r1', 't1', 'c1'));
    for (let at = 1; at < 40; at++) d.add(ev.beat(M0 + at * S, 'r1', 't1', 'c1', at % 4 !== 0, 5)); // every 4th late
    d.runUntil(M0 + 40 * S);
    // Intervals ran out at 1.5, 2.5, … 39.5 s: 39 expected, 30 on time (1 to 39 but not 4, 8, … 36).
    expect(state.figuresOf('r1', d.now)).toMatchObject({ heartbeats: { onTime: 30, late: 9, expected: 39 }, heartbeatSuccess: 30 / 39 });
  });

  it('stability = connected-and-healthy terminal-time / expected terminal-time', () => {
    const state = new FleetState();
    // t3 was seen yesterday: expected, never connected this minute.
    state.seedTerminals([{ rid: 'r1', tid: 't3', lastSeen: M0 - 86_400_000 }]);
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0, 'r1', 't1', 'c1'), ev.open(M0, 'r1', 't2', 'c2'));
    for (const at of [15, 30, 45]) d.add(ev.beat(M0 + at * S, 'r1', 't1', 'c1', true, 10)); // t1 beats; t2 falls silent
    d.runUntil(M0 + 60 * S);
    const f = state.figuresOf('r1', M0 + 60 * S)!;
    // t1 healthy 60 s, t2 healthy for the first 20 s (then silent ≥ 20 s), t3 absent: 80 / 180.
    expect(f.terminalTime).toEqual({ connectedMs: 120_000, healthyMs: 80_000, expectedMs: 180_000 });
    expect(f.stability).toBeCloseTo(4 / 9, 12);
    expect([f.expected, f.connectedTerminals]).toEqual([3, 2]);
    expect(f.terminals).toEqual({ healthy: 1, degraded: 0, unhealthy: 1 });
    expect(f.status).toBe('unhealthy'); // a connected terminal silent ≥ 30 s
    expect(state.terminalsOf('r1', M0 + 60 * S).map((t) => [t.tid, t.health])).toEqual([
      ['t3', 'offline'],
      ['t1', 'healthy'],
      ['t2', 'unhealthy'],
    ]);
  });

  it('keeps the connections gauge (last/min/max over the minute) and open ages', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0 + 1_000, 'r1', 't1', 'c1'), ev.open(M0 + 2_000, 'r1', 't2', 'c2'), ev.open(M0 + 3_000, 'r1', 't3', 'c3'));
    d.add(ev.close(M0 + 10_000, 'r1', 't2', 'c2', 1000, 8_000), ev.close(M0 + 11_000, 'r1', 't3', 'c3', 4008, 8_000, { byServer: true }));
    d.runUntil(M0 + 20 * S);
    const f = state.figuresOf('r1', M0 + 20 * S)!;
    expect(f.connectionsGauge).toEqual({ last: 1, min: 0, max: 3 });
    expect(f.openAgeMs).toEqual({ mean: 19_000, max: 19_000 });
    near(f.durationMs?.p50, 8_000);
    expect(f.errors).toEqual({ heartbeat_timeout: 1 });
    expect(f.closes).toEqual({ 1000: 1, 4008: 1 });
  });

  it('lets window figures age out: a minute later, no samples means null, not zero', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0, 'r1', 't1', 'c1'), ev.beat(M0 + 500, 'r1', 't1', 'c1', true, 12), ev.ack(M0 + 600, 'r1', 't1', 'c1', 40));
    d.runUntil(M0 + 2 * S);
    near(state.figuresOf('r1', d.now)?.deliveryMs?.p50, 40);
    d.runUntil(M0 + 75 * S);
    const f = state.figuresOf('r1', d.now)!;
    expect([f.rttMs, f.deliveryMs, f.opens]).toEqual([null, null, 0]);
    expect(state.totalsOf('r1').opens).toBe(1);
  });

  it('counts every refused token fleet-wide, never toward the restaurant its unverified claims name', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.authFail(M0 + 100), ev.authFail(M0 + 200, 'r2'));
    d.runUntil(M0 + 2 * S);
    expect(state.restaurantIds()).toEqual([]);
    expect(state.figuresOf('r2', d.now)).toBeNull();
    expect(state.unscoped.totals['errors.auth_failed']).toBe(2);
  });
});

describe('fleet state: totals and rollups', () => {
  it('totals only what it is given, so a manager scope is a filter before totalling', () => {
    const state = new FleetState();
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0, 'r1', 't1', 'c1'), ev.open(M0, 'r2', 't2', 'c2'), ev.open(M0, 'r3', 't3', 'c3'));
    d.add(ev.beat(M0 + 15 * S, 'r1', 't1', 'c1', true, 10), ev.beat(M0 + 15 * S, 'r2', 't2', 'c2', true, 100), ev.beat(M0 + 15 * S, 'r3', 't3', 'c3', true, 1000));
    d.add(ev.close(M0 + 16 * S, 'r3', 't3', 'c3', 1011, 16_000, { byServer: true }));
    d.runUntil(M0 + 30 * S);
    const all = state.figures(d.now);
    const manager = totals(all.filter((f) => f.rid === 'r1' || f.rid === 'r2'));
    expect([manager.restaurants, manager.connections, manager.expected, manager.opens]).toEqual([2, 2, 2, 2]);
    expect(manager.errors).toEqual({});
    near(manager.rttMs?.p99, 100);
    const fleet = totals(all);
    expect([fleet.restaurants, fleet.connections, fleet.expected]).toEqual([3, 2, 3]);
    expect(fleet.errors).toEqual({ server_error: 1 });
    expect(fleet.byStatus).toMatchObject({ offline: 1 });
    near(fleet.rttMs?.p99, 1000);
    expect(fleet.stability).toBeCloseTo((fleet.terminalTime.healthyMs / fleet.terminalTime.expectedMs), 12);
  });

  it('counts the interval a watchdog close convicts, though the close reaches it before the tick', () => {
    // Half-open from 1.5 s: intervals run out at 21.5 and 36.5 s; the gateway's 4008 at 36.6 s is
    // applied before the tick at 37 s. Counting at ticks alone lost the second interval (1, not 2).
    const state = new FleetState({ settleMs: 5_000 });
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0 + 1_500, 'r1', 't1', 'c1'), ev.close(M0 + 36_600, 'r1', 't1', 'c1', 4008, 35_100));
    d.runUntil(M0 + 66 * S);
    const [m] = state.drainRollups();
    expect(m!.counters.hbExpected).toBe(2);
    expect(m!.counters.hbOnTime ?? 0).toBe(0);
  });

  it('emits each restaurant-minute once, after it settles, with counters, gauges and histograms', () => {
    const state = new FleetState({ settleMs: 5_000 });
    const d = new FleetDriver(state, M0);
    d.add(ev.open(M0 + 1_000, 'r1', 't1', 'c1'), ev.open(M0 + 2_000, 'r1', 't2', 'c2'));
    d.add(ev.beat(M0 + 16_000, 'r1', 't1', 'c1', true, 10), ev.beat(M0 + 17_000, 'r1', 't2', 'c2', false, 30));
    d.add(ev.close(M0 + 30_000, 'r1', 't2', 'c2', 1006, 28_000), ev.open(M0 + 31_000, 'r1', 't2', 'c3'));
    d.runUntil(M0 + 64 * S);
    expect(state.drainRollups()).toEqual([]); // not settled yet
    d.runUntil(M0 + 65 * S);
    const rollups = state.drainRollups();
    expect(rollups.map((m) => [m.rid, m.minute])).toEqual([['r1', M0]]);
    const [m] = rollups;
    expect(m!.counters).toEqual({
      opens: 3,
      reconnects: 1,
      'closes.1006': 1,
      'errors.abnormal_close': 1,
      hbOnTime: 1,
      hbLate: 1,
      // Intervals (15 s + 5 s grace) run out: t1 (from 1 s) at 21, 36 and 51 s; t2 at 22 s, then
      // (back at 31 s) at 51 s.
      hbExpected: 5,
      // Connected: t1 from 1 s, t2 from 2 s but away 30–31 s: 59 + 57 terminal-seconds.
      // Healthy (< 20 s since the last open or beat): t1 1–36 s (beat at 16), t2 2–30 s and 31–51 s.
      connectedMs: 116_000,
      healthyMs: 35_000 + 28_000 + 20_000,
      expectedMs: 117_000,
    });
    expect(m!.gauges).toEqual({ connections: { last: 2, min: 0, max: 2 }, expected: { last: 2, min: 1, max: 2 } });
    expect(Object.keys(m!.histograms).sort()).toEqual(['duration', 'rtt']);
    expect(decodeHistogram(m!.histograms.rtt!)?.count).toBe(2);
    d.runUntil(M0 + 130 * S);
    expect(state.drainRollups().map((x) => x.minute)).toEqual([M0 + 60_000]);
    expect(state.minutesOf('r1').map((x) => x.minute)).toEqual([M0, M0 + 60_000]);
    // The minute under way is visible as it stands, and shutdown seals it.
    expect(state.openMinutes('r1').map((x) => [x.minute, x.counters.connectedMs])).toEqual([[M0 + 120_000, 2 * 10_000]]);
    expect(state.openMinutes().map((x) => x.rid)).toEqual(['r1']);
    expect(state.sealOpenMinutes().map((x) => x.minute)).toEqual([M0 + 120_000]);
    expect(state.openMinutes('r1')).toEqual([]);
  });
});
