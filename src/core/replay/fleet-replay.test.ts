import { describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { createHistogram } from '../histogram.ts';
import type { RestaurantMinute } from '../rollup.ts';
import { ev } from '../test-helpers/telemetry-events.ts';
import { FleetReplay } from './fleet-replay.ts';

const S = 1000;
/** 19:40:00 UTC, a whole minute, so offsets read as minute + second. */
const M0 = Date.UTC(2026, 11, 3, 19, 40);
const at = (s: number) => M0 + s * S;

/**
 * The script, by hand:
 *   r-001: t1 (c1) open 1 s, silent from 60 s until a late beat at 100 s; t2 (c2) open 2 s, closes 1000 at 200 s.
 *   r-002: t1 (c3) open 1 s, t2 (c4) open 3 s; outage at 120 s (both 1006); t1 back at 150 s (c5), t2 at 155 s (c6).
 * Minutes stored for 19:40 and 19:41 only (19:42 on: a hub gap).
 */
const late = (t: number, rid: string, tid: string, conn: string, gapMs: number): LifecycleEvent => ({ type: 'heartbeat_late', gw: 'gw-test', t, rid, tid, conn, gapMs });
const events: LifecycleEvent[] = [
  ev.open(at(1), 'r-001', 't1', 'c1'),
  ev.open(at(1), 'r-002', 't1', 'c3'),
  ev.open(at(2), 'r-001', 't2', 'c2'),
  ev.open(at(3), 'r-002', 't2', 'c4'),
  late(at(100), 'r-001', 't1', 'c1', 40 * S),
  ev.close(at(120), 'r-002', 't1', 'c3', 1006, 119 * S),
  ev.close(at(120), 'r-002', 't2', 'c4', 1006, 117 * S),
  ev.open(at(150), 'r-002', 't1', 'c5'),
  ev.open(at(155), 'r-002', 't2', 'c6'),
  ev.close(at(200), 'r-001', 't2', 'c2', 1000, 198 * S),
];

const rtt = createHistogram(64);
for (const ms of [10, 20, 30, 40]) rtt.record(ms);
const minute = (rid: string, m: number, onTime: number, expected: number, extra: Partial<RestaurantMinute> = {}): RestaurantMinute => ({
  rid,
  minute: M0 + m * 60 * S,
  counters: { hbOnTime: onTime, hbExpected: expected, opens: m === 0 ? 2 : 0 },
  gauges: { connections: { last: 2, min: 0, max: 2 } },
  histograms: {},
  ...extra,
});
const minutes: RestaurantMinute[] = [minute('r-001', 0, 4, 4, { histograms: { rtt: rtt.encode() } }), minute('r-001', 1, 7, 8), minute('r-002', 0, 4, 4), minute('r-002', 1, 8, 8)];

const input = { events, minutes };

describe('the fleet at an instant', () => {
  it('knows nothing before the first event', () => {
    const replay = new FleetReplay(input, M0 - 60 * S);
    expect(replay.restaurants()).toEqual([]);
    expect(replay.restaurant('r-002')).toBeNull();
  });

  it.each([
    // [second, rid, status, connections, connected, expected, errors]
    [5, 'r-001', 'healthy', 2, 2, 2, 0],
    [5, 'r-002', 'healthy', 2, 2, 2, 0],
    [85, 'r-001', 'degraded', 2, 2, 2, 0], // t1 silent 25 s
    [95, 'r-001', 'unhealthy', 2, 2, 2, 0], // t1 silent 35 s
    [101, 'r-001', 'healthy', 2, 2, 2, 0], // t1 beating again (19:41's 7 of 8 beats on time are the minute's, not t's)
    [119, 'r-002', 'healthy', 2, 2, 2, 0], // a second before the outage
    [120, 'r-002', 'offline', 0, 0, 2, 0], // the outage, to the event
    [150.5, 'r-002', 'degraded', 1, 1, 2, 2], // t1 back, t2 not; the two 1006 in the last minute
    [181, 'r-002', 'healthy', 2, 2, 2, 0], // the 1006 left the window; no stored minute (hub gap)
    [200, 'r-001', 'degraded', 1, 1, 2, 0], // t2 closed cleanly: missing, but no error
  ] as const)('at %s s, %s is %s', (s, rid, status, connections, connectedTerminals, expected, errorsLastMinute) => {
    const f = new FleetReplay(input, at(s)).restaurant(rid);
    expect(f).toMatchObject({ rid, at: at(s), status, connections, connectedTerminals, expected, errorsLastMinute });
  });

  it('tells each terminal connected or not, and since when', () => {
    const replay = new FleetReplay(input, at(152));
    expect(replay.terminals('r-002')).toEqual([
      { tid: 't1', connected: true, since: at(150), health: 'healthy', connections: [{ gw: 'gw-test', conn: 'c5', since: at(150) }] },
      { tid: 't2', connected: false, since: at(120), health: 'offline', connections: [] },
    ]);
    replay.advanceTo(at(95));
    expect(replay.terminals('r-001').map((t) => [t.tid, t.health, t.since])).toEqual([
      ['t1', 'unhealthy', at(1)],
      ['t2', 'healthy', at(2)],
    ]);
  });

  it('reads rates and percentiles from the minute holding t', () => {
    const f = new FleetReplay(input, at(30)).restaurant('r-001');
    expect(f?.minute).toMatchObject({ minute: M0, opens: 2, heartbeatSuccess: 1 });
    expect(f?.minute?.rttMs?.p50).toBeCloseTo(20, 0);
    expect(new FleetReplay(input, at(90)).restaurant('r-001')?.minute?.heartbeatSuccess).toBe(7 / 8);
    expect(new FleetReplay(input, at(130)).restaurant('r-001')?.minute).toBeNull();
  });

  it('stepping forward event by event equals rebuilding at each instant', () => {
    const instants = [-60, 0, 1, 2, 5, 60, 85, 95, 100, 101, 119, 120, 121, 150, 150.5, 155, 181, 200, 400].map(at);
    const stepped = new FleetReplay(input, instants[0] as number);
    for (const t of instants) {
      stepped.advanceTo(t);
      const rebuilt = new FleetReplay(input, t);
      expect(stepped.restaurants(), `at ${t}`).toEqual(rebuilt.restaurants());
      for (const rid of rebuilt.restaurantIds()) expect(stepped.terminals(rid)).toEqual(rebuilt.terminals(rid));
    }
  });

  it('rebuilds when moved back', () => {
    const replay = new FleetReplay(input, at(200));
    replay.advanceTo(at(119));
    expect(replay.at).toBe(at(119));
    expect(replay.restaurant('r-002')).toEqual(new FleetReplay(input, at(119)).restaurant('r-002'));
  });

  it('takes events in any order the caller gives them', () => {
    const shuffled = [...events].reverse();
    expect(new FleetReplay({ events: shuffled, minutes }, at(150.5)).restaurants()).toEqual(new FleetReplay(input, at(150.5)).restaurants());
  });
});
