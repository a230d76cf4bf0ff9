/**
 * Incident markers on scripted rollups and events with known answers — and the near misses that
 * must give none (a fall of 9.5 % is not one of 10 %, a heartbeat share of exactly 90 % is not
 * under it, one minute without a hub is a gap but a quiet restaurant is not).
 */
import { describe, expect, it } from 'vitest';
import type { RestaurantMinute } from '../rollup.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { findIncidentMarkers, type MarkerKind } from './incident-markers.ts';

const M = 60_000;
const T0 = 1_700_000_040_000; // a whole minute
const at = (i: number) => T0 + i * M;

function row(rid: string, i: number, conn: { last: number; min?: number }, counters: Record<string, number> = {}): RestaurantMinute {
  return { rid, minute: at(i), counters, gauges: { connections: { last: conn.last, min: conn.min ?? conn.last, max: conn.last } }, histograms: {} };
}
/** A restaurant holding `n` connections for minutes [0, count). */
const steady = (rid: string, n: number, count = 4, counters: Record<string, number> = {}) => Array.from({ length: count }, (_, i) => row(rid, i, { last: n }, counters));
const close = (t: number, rid: string): LifecycleEvent => ({ type: 'close', gw: 'gw-1', t, rid, tid: `${rid}-t1`, conn: 'c', code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 1 });
const lost = (t: number, rid: string, gw = 'gw-2', n = 1): LifecycleEvent => ({ type: 'close', gw, t, rid, tid: `${rid}-t${n}`, conn: `${gw}-${rid}-${n}`, code: 1006, cause: 'gateway_lost', reason: '', byServer: true, durationMs: 1 });
const refused = (t: number, reason: 'expired' | 'bad_signature' = 'expired'): LifecycleEvent => ({ type: 'auth_fail', gw: 'gw-1', t, reason, claimedRid: 'r-001', claimedTid: 'r-001-t1' });

/** Replace minute `i` of `rows` for `rid`. */
function withMinute(rows: RestaurantMinute[], r: RestaurantMinute): RestaurantMinute[] {
  return rows.map((x) => (x.rid === r.rid && x.minute === r.minute ? r : x));
}

function kinds(minutes: RestaurantMinute[], events: LifecycleEvent[] = []): [MarkerKind, string, number][] {
  return findIncidentMarkers({ minutes, events, from: at(0), to: at(10) }).map((m) => [m.kind, m.scope, m.t]);
}

describe('findIncidentMarkers', () => {
  const cases: { name: string; minutes: RestaurantMinute[]; events?: LifecycleEvent[]; want: [MarkerKind, string, number][] }[] = [
    { name: 'a steady fleet: none', minutes: [...steady('r-001', 10), ...steady('r-002', 10)], want: [] },
    {
      name: 'a restaurant 10 → 9 (exactly 10 %) inside a minute: a drop there, at its first close; the fleet 20 → 19 is not',
      minutes: withMinute([...steady('r-001', 10), ...steady('r-002', 10)], row('r-001', 2, { last: 10, min: 9 })),
      events: [close(at(2) + 7_000, 'r-001'), close(at(2) + 9_000, 'r-001')],
      want: [['connections_drop', 'r-001', at(2) + 7_000]],
    },
    {
      name: 'a restaurant 200 → 181 (9.5 %): no marker',
      minutes: withMinute(steady('r-001', 200), row('r-001', 2, { last: 181, min: 181 })),
      want: [],
    },
    {
      name: 'a restaurant 200 → 180 (10 %) and staying there: one drop, at the minute (no close stored)',
      minutes: [...steady('r-001', 200, 2), row('r-001', 2, { last: 180 }), row('r-001', 3, { last: 180 })],
      want: [
        ['connections_drop', 'fleet', at(2)],
        ['connections_drop', 'r-001', at(2)],
      ],
    },
    {
      name: 'r-002 offline (10 → 0): the restaurant and the fleet (20 → 10) both fell',
      minutes: [...steady('r-001', 10), ...steady('r-002', 10, 2), row('r-002', 2, { last: 0 }), row('r-002', 3, { last: 0 })],
      events: [close(at(2) + 3_000, 'r-002')],
      want: [
        ['connections_drop', 'fleet', at(2) + 3_000],
        ['connections_drop', 'r-002', at(2) + 3_000],
      ],
    },
    {
      name: 'a restaurant that was empty does not "fall": none',
      minutes: [...steady('r-001', 0)],
      want: [],
    },
    {
      name: 'a reconnect storm (10 reconnects over 10 connections) in one restaurant; 4 elsewhere is below the floor',
      minutes: withMinute(withMinute([...steady('r-001', 10), ...steady('r-002', 10)], row('r-001', 1, { last: 10 }, { reconnects: 10 })), row('r-002', 1, { last: 10 }, { reconnects: 4 })),
      want: [
        ['reconnect_storm', 'fleet', at(1)],
        ['reconnect_storm', 'r-001', at(1)],
      ],
    },
    {
      name: 'heartbeat success 89 % for two minutes: one marker; exactly 90 % is not under 90 %',
      minutes: [
        row('r-001', 0, { last: 5 }, { hbOnTime: 90, hbExpected: 100 }),
        row('r-001', 1, { last: 5 }, { hbOnTime: 89, hbExpected: 100 }),
        row('r-001', 2, { last: 5 }, { hbOnTime: 89, hbExpected: 100 }),
        row('r-001', 3, { last: 5 }, { hbOnTime: 100, hbExpected: 100 }),
        row('r-002', 1, { last: 5 }, { hbOnTime: 100, hbExpected: 100 }),
        row('r-002', 2, { last: 5 }, { hbOnTime: 100, hbExpected: 100 }),
      ],
      want: [['heartbeat_low', 'r-001', at(1)]],
    },
    {
      name: 'a minute with no heartbeat expected is not a low share',
      minutes: steady('r-001', 0, 4, { hbOnTime: 0, hbExpected: 0 }),
      want: [],
    },
    {
      name: '10 refused tokens in a minute: a fleet spike at the first; 9 in the next is none',
      minutes: steady('r-001', 5),
      events: [...Array.from({ length: 10 }, (_, i) => refused(at(1) + 5_000 + i)), ...Array.from({ length: 9 }, (_, i) => refused(at(2) + i))],
      want: [['auth_spike', 'fleet', at(1) + 5_000]],
    },
    {
      name: 'a gateway lost: its connections closed by the hub at its last frame make one marker at the first',
      minutes: [...steady('r-001', 10), ...steady('r-002', 10)],
      events: [lost(at(1) + 4_000, 'r-001', 'gw-2', 1), lost(at(1) + 4_000, 'r-001', 'gw-2', 2), lost(at(1) + 4_000, 'r-002', 'gw-2', 1)],
      want: [['gateway_lost', 'fleet', at(1) + 4_000]],
    },
    {
      name: 'two gateways lost, and one gateway lost twice minutes apart: one marker per loss; a terminal\'s own 1006 is none',
      minutes: steady('r-001', 10, 6),
      events: [lost(at(1), 'r-001', 'gw-2'), lost(at(1) + 500, 'r-001', 'gw-3'), lost(at(4), 'r-001', 'gw-2'), close(at(2), 'r-001')],
      want: [
        ['gateway_lost', 'fleet', at(1)],
        ['gateway_lost', 'fleet', at(1) + 500],
        ['gateway_lost', 'fleet', at(4)],
      ],
    },
    {
      name: 'a gateway lost before the window: not one of its markers',
      minutes: steady('r-001', 10),
      events: [lost(at(0) - 1, 'r-001')],
      want: [],
    },
    {
      name: 'two minutes without any row between stored ones: a hub gap; a restaurant quiet for a minute is not',
      minutes: [...steady('r-001', 5, 2), row('r-001', 4, { last: 5 }), row('r-001', 5, { last: 5 }), row('r-002', 0, { last: 5 }), row('r-002', 5, { last: 5 })],
      want: [['hub_gap', 'fleet', at(2)]],
    },
  ];
  for (const c of cases) it(c.name, () => expect(kinds(c.minutes, c.events)).toEqual(c.want));

  it('describes each marker in one line, and spans a run of minutes', () => {
    const minutes = [row('r-001', 0, { last: 5 }, { hbOnTime: 50, hbExpected: 100 }), row('r-001', 1, { last: 5 }, { hbOnTime: 50, hbExpected: 100 }), row('r-001', 4, { last: 5 })];
    const events = Array.from({ length: 12 }, (_, i) => refused(at(0) + i, i < 8 ? 'bad_signature' : 'expired'));
    const markers = findIncidentMarkers({ minutes, events, from: at(0), to: at(10) });
    expect(markers.map((m) => [m.kind, m.until, m.description])).toEqual([
      ['auth_spike', at(1), 'fleet: 12 refused tokens (4001) in a minute, mostly bad_signature'],
      ['heartbeat_low', at(2), 'fleet: heartbeat success 50 % (50 of 100 on time) — for 2 min'],
      ['heartbeat_low', at(2), 'r-001: heartbeat success 50 % (50 of 100 on time) — for 2 min'],
      ['hub_gap', at(4), 'fleet: hub gap, 2 minutes not stored'],
    ]);
    const gone = findIncidentMarkers({ minutes, events: [lost(at(3), 'r-001', 'gw-2', 1), lost(at(3), 'r-001', 'gw-2', 2), lost(at(3), 'r-002', 'gw-2', 1)], from: at(0), to: at(10) });
    expect(gone.find((m) => m.kind === 'gateway_lost')?.description).toBe('fleet: gateway gw-2 lost, 3 connections of 2 restaurants closed by the hub');
    for (const m of markers) expect(m.description).not.toMatch(/\n/);
  });

  it('judges only minutes in the window (the minute before only as the level fallen from)', () => {
    const minutes = [row('r-001', 0, { last: 10 }), row('r-001', 1, { last: 5 }), row('r-001', 2, { last: 1 })];
    const markers = findIncidentMarkers({ minutes, events: [], from: at(2), to: at(3) });
    expect(markers.map((m) => [m.kind, m.scope, m.t])).toEqual([
      ['connections_drop', 'fleet', at(2)],
      ['connections_drop', 'r-001', at(2)],
    ]);
  });
});
