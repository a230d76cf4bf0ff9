/**
 * The acceptance of issue 12 for the core: run a scenario through the live path (probe events →
 * aggregator → frames → FleetState, second by second), record the live state at instants, then
 * rebuild each instant from what the store would hold (the frames' lifecycle events and the
 * settled rollups): connections, connected and expected terminals and statuses are the live ones.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeEvent, ProbeEventOf } from '../../protocol/probe-events.ts';
import { isRawProbeEvent, lateHeartbeatOf, type LifecycleEvent } from '../../protocol/telemetry.ts';
import { statusOf } from '../figures.ts';
import { FleetState } from '../fleet-state.ts';
import { FleetDriver } from '../test-helpers/fleet-driver.ts';
import { ev } from '../test-helpers/telemetry-events.ts';
import { FleetReplay } from './fleet-replay.ts';

const S = 1000;
const M0 = Date.UTC(2026, 11, 3, 19, 40);
// Events a fifth of a second into their second: the live view at a whole second has seen them all.
const at = (s: number) => M0 + s * S + 200;

/** Heartbeats of one connection every 15 s over [from, to), with one silence of `gap` s ending at `lateAt`. */
function beats(rid: string, tid: string, conn: string, from: number, to: number, late?: { at: number; gap: number }): ProbeEventOf<'heartbeat'>[] {
  const out: ProbeEventOf<'heartbeat'>[] = [];
  let prev = from;
  for (let s = from + 15; s < to; s += 15) {
    if (late && s > late.at - late.gap && s < late.at) continue;
    if (late && s >= late.at && prev < late.at) {
      out.push({ type: 'heartbeat', gw: 'gw-test', t: at(late.at), rid, tid, conn, onTime: false, gapMs: (late.at - prev) * S, rtt: 20 });
      prev = late.at;
      s = late.at;
      continue;
    }
    out.push({ type: 'heartbeat', gw: 'gw-test', t: at(s), rid, tid, conn, onTime: true, gapMs: (s - prev) * S, rtt: 20 });
    prev = s;
  }
  return out;
}

const scenario: ProbeEvent[] = [
  // r-001: two terminals beating; t1 falls silent for 40 s (a late beat at 100 s).
  ev.open(at(1), 'r-001', 't1', 'c1'),
  ev.open(at(2), 'r-001', 't2', 'c2'),
  ...beats('r-001', 't1', 'c1', 1, 300, { at: 100, gap: 40 }),
  ...beats('r-001', 't2', 'c2', 2, 300),
  // r-002: an outage at 120 s, back at 150 s and 155 s.
  ev.open(at(1), 'r-002', 't1', 'c3'),
  ev.open(at(3), 'r-002', 't2', 'c4'),
  ...beats('r-002', 't1', 'c3', 1, 120),
  ...beats('r-002', 't2', 'c4', 3, 120),
  ev.close(at(120), 'r-002', 't1', 'c3', 1006, 119 * S),
  ev.close(at(120), 'r-002', 't2', 'c4', 1006, 117 * S),
  ev.open(at(150), 'r-002', 't1', 'c5'),
  ev.open(at(155), 'r-002', 't2', 'c6'),
  ...beats('r-002', 't1', 'c5', 150, 300),
  ...beats('r-002', 't2', 'c6', 155, 300),
  // r-003: a flapping terminal, closing cleanly and reopening every 40 s.
  ...[10, 50, 90, 130].flatMap((s, i) => [ev.open(at(s), 'r-003', 't1', `f${i}`), ...beats('r-003', 't1', `f${i}`, s, s + 20), ev.close(at(s + 20), 'r-003', 't1', `f${i}`, 1000, 20 * S)]),
];

function storedOf(events: readonly ProbeEvent[]): LifecycleEvent[] {
  const out: LifecycleEvent[] = [];
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (isRawProbeEvent(e)) out.push(e);
    else if (e.type === 'heartbeat') {
      const late = lateHeartbeatOf(e);
      if (late) out.push(late);
    }
  }
  return out;
}

describe('the fleet rebuilt from the store equals the live fleet', () => {
  it('at every 5 s of a scenario with an outage, a silence and a flapping terminal', () => {
    const state = new FleetState();
    const driver = new FleetDriver(state, M0);
    driver.add(...scenario);
    const recorded: { t: number; live: unknown[] }[] = [];
    let judgedByShare = 0;
    for (let s = 5; s <= 240; s += 5) {
      const t = M0 + s * S;
      driver.runUntil(t);
      const live = state.figures(t).sort((a, b) => (a.rid < b.rid ? -1 : 1));
      recorded.push({
        t,
        live: live.map((f) => {
          // The live rule over the live inputs, all but the heartbeat share (per minute only in the store).
          const status = statusOf({ expected: f.expected, connectedTerminals: f.connectedTerminals, heartbeatSuccess: null, terminals: f.terminals, errorsInWindow: f.errorsPerMin }); // per minute over a one-minute window: the count
          if (status !== f.status) judgedByShare++;
          return { rid: f.rid, connections: f.connections, connectedTerminals: f.connectedTerminals, expected: f.expected, terminals: f.terminals, status };
        }),
      });
    }
    // The share did decide some instants (after t1's silence): what the replay cannot know.
    expect(judgedByShare).toBeGreaterThan(0);
    // And the scenario went through what it is meant to: a silent terminal, an outage, a missing one.
    const seen = new Set(recorded.flatMap(({ live }) => (live as { rid: string; status: string; terminals: { unhealthy: number } }[]).map((f) => `${f.rid} ${f.status}${f.terminals.unhealthy > 0 ? ' silent' : ''}`)));
    expect([...seen].sort()).toEqual(expect.arrayContaining(['r-001 unhealthy silent', 'r-002 offline', 'r-002 degraded', 'r-003 offline', 'r-003 healthy']));
    driver.runUntil(M0 + 400 * S);
    const minutes = state.drainRollups();
    const replay = new FleetReplay({ events: storedOf(scenario), minutes }, M0);
    for (const { t, live } of recorded) {
      replay.advanceTo(t);
      const rebuilt = replay.restaurants().map((r) => ({ rid: r.rid, connections: r.connections, connectedTerminals: r.connectedTerminals, expected: r.expected, terminals: r.terminals, status: r.status }));
      expect(rebuilt, `at ${(t - M0) / S} s`).toEqual(live);
    }
  });
});
