/**
 * How a gateway's run ends, and what the state writes for the connections nobody saw close:
 * stopped (a goodbye), restarted (a new run), lost (silence) and lost-then-back (a partition).
 * Frames come from the real aggregator, time from the ticks (the state takes no clock of its own).
 */
import { describe, expect, it } from 'vitest';
import type { ProbeEvent } from '../protocol/probe-events.ts';
import type { LifecycleEvent, TelemetryFrame } from '../protocol/telemetry.ts';
import { FleetState } from './fleet-state.ts';
import { createAggregator } from './probe-aggregator.ts';
import { FleetReplay } from './replay/fleet-replay.ts';
import { ev } from './test-helpers/telemetry-events.ts';

const S = 1000;
const M0 = Date.UTC(2026, 11, 3, 19, 40);
const at = (s: number) => M0 + s * S;

/** One gateway process: its run's aggregator, flushed into frames as the bus probe flushes it. */
function gatewayRun(gw: string, run: number) {
  const agg = createAggregator({ gatewayId: gw, run });
  return {
    add(...events: ProbeEvent[]) {
      for (const e of events) agg.add(e);
    },
    frame(t: number, goodbye = false): TelemetryFrame {
      const f = agg.flush(t);
      return goodbye ? { ...f, goodbye: true } : f;
    },
  };
}

/** A state watching gw-a's first run, which opened `conns` at 1 s (its first frame at 2 s). */
function watching(...conns: [rid: string, tid: string, conn: string][]) {
  const state = new FleetState({ gatewayTimeoutMs: 15 * S });
  state.tick(at(0));
  const a = gatewayRun('gw-a', at(0));
  const opens = conns.map(([rid, tid, conn]) => ev.open(at(1), rid, tid, conn, 'gw-a'));
  a.add(...opens);
  state.applyFrame(a.frame(at(2)));
  return { state, a, opens };
}

const closes = (es: readonly LifecycleEvent[]) => es.flatMap((e) => (e.type === 'close' ? [`${e.conn} ${e.code} ${e.cause} @${(e.t - M0) / S}s`] : e.type === 'open' ? [`${e.conn} open @${(e.t - M0) / S}s`] : []));
const open = (state: FleetState, rid: string, now: number) => state.terminalsOf(rid, now).flatMap((t) => t.connections.map((c) => c.conn));

describe('a gateway that says goodbye', () => {
  it('is stopped, not lost: what it left open is closed gateway_stopped (1001) at the goodbye, its own closes stand', () => {
    const { state, a } = watching(['r-001', 't1', 'c1'], ['r-001', 't2', 'c2']);
    state.tick(at(2));
    // The stop: c1 closed 1001 by the gateway and reported; c2's close never reported.
    a.add(ev.close(at(3), 'r-001', 't1', 'c1', 1001, 2 * S, { byServer: true, gw: 'gw-a' }));
    expect(state.applyFrame(a.frame(at(4), true))).toBe('applied');
    state.tick(at(4));
    expect(closes(state.drainLifecycle())).toEqual(['c2 1001 gateway_stopped @4s']);
    expect(open(state, 'r-001', at(4))).toEqual([]);
    expect(state.gatewayStatus()[0]).toMatchObject({ gw: 'gw-a', state: 'stopped', alive: false, stoppedAt: at(4) });
    // Silent for a minute: still stopped, and nothing more is closed.
    for (let s = 5; s <= 60; s++) state.tick(at(s));
    expect(state.drainLifecycle()).toEqual([]);
    expect(state.gatewayStatus()[0]?.state).toBe('stopped');
  });

  it('ignores a goodbye of an older run, and what that run sends after its goodbye', () => {
    const { state, a: old } = watching(['r-001', 't1', 'c1']);
    const now = gatewayRun('gw-a', at(10));
    now.add(ev.open(at(11), 'r-001', 't1', 'c9', 'gw-a'));
    state.applyFrame(now.frame(at(12)));
    state.tick(at(12));
    expect(state.applyFrame(old.frame(at(13), true))).toBe('duplicate');
    state.tick(at(13));
    expect(open(state, 'r-001', at(13))).toEqual(['c9']);
    expect(state.gatewayStatus()[0]).toMatchObject({ state: 'live', staleFrames: 1 });
    // The new run says goodbye, then a stray frame of the same run: stale, c7 never opens.
    state.applyFrame(now.frame(at(14), true));
    now.add(ev.open(at(15), 'r-001', 't2', 'c7', 'gw-a'));
    expect(state.applyFrame(now.frame(at(16)))).toBe('duplicate');
    state.tick(at(16));
    expect(closes(state.drainLifecycle())).toEqual(['c1 1006 gateway_restarted @11s', 'c9 1001 gateway_stopped @14s']);
    expect(open(state, 'r-001', at(16))).toEqual([]);
  });
});

describe('a gateway restarted under a new run', () => {
  it('closes the old run\'s open connections gateway_restarted (1006) at the new run\'s start, not at its flush', () => {
    const { state } = watching(['r-001', 't1', 'c1'], ['r-002', 't3', 'c3']);
    state.tick(at(5));
    // Killed and restarted within the timeout: t1 reconnects at 6 s, the first frame flushes at 7 s.
    const next = gatewayRun('gw-a', at(6));
    next.add(ev.open(at(6), 'r-001', 't1', 'c1', 'gw-a'));
    state.applyFrame(next.frame(at(7)));
    state.tick(at(7));
    expect(closes(state.drainLifecycle())).toEqual(['c1 1006 gateway_restarted @6s', 'c3 1006 gateway_restarted @6s']);
    expect(open(state, 'r-001', at(7))).toEqual(['c1']); // the new run's c1: same id, a new connection
    expect(open(state, 'r-002', at(7))).toEqual([]);
  });
});

describe('a gateway lost', () => {
  it('killed (no goodbye) still reads lost, its connections closed gateway_lost at its last frame', () => {
    const { state } = watching(['r-001', 't1', 'c1']);
    for (let s = 1; s <= 30; s++) state.tick(at(s));
    expect(closes(state.drainLifecycle())).toEqual(['c1 1006 gateway_lost @2s']);
    expect(state.gatewayStatus()[0]).toMatchObject({ state: 'lost', alive: false });
  });

  it('back under the same run (a partition): a connection still beating is open again in the store as in the live view', () => {
    const { state, a, opens } = watching(['r-001', 't1', 'c1'], ['r-001', 't2', 'c2']);
    for (let s = 1; s <= 20; s++) state.tick(at(s));
    const lost = state.drainLifecycle();
    expect(closes(lost)).toEqual(['c1 1006 gateway_lost @2s', 'c2 1006 gateway_lost @2s']);
    // Back at 25 s: c1 beats (re-adopted); c2 closed during the partition, its close arrives late.
    a.add(ev.beat(at(24), 'r-001', 't1', 'c1', false, 12, 'gw-a'));
    expect(state.applyFrame(a.frame(at(25)))).toBe('applied');
    state.tick(at(25));
    const back = state.drainLifecycle();
    expect(closes(back)).toEqual(['c1 open @24s']);
    expect(state.gatewayStatus()[0]?.state).toBe('live');
    expect(open(state, 'r-001', at(25))).toEqual(['c1']);
    // A second beat adds nothing: the open is written once.
    a.add(ev.beat(at(39), 'r-001', 't1', 'c1', true, 12, 'gw-a'));
    state.applyFrame(a.frame(at(40)));
    state.tick(at(40));
    expect(state.drainLifecycle()).toEqual([]);
    // What the store holds replays to what the live view shows.
    const replay = new FleetReplay({ events: [...opens, ...lost, ...back], minutes: [] }, M0);
    replay.advanceTo(at(10));
    expect(replay.restaurants().map((r) => [r.rid, r.connections])).toEqual([['r-001', 0]]);
    replay.advanceTo(at(30));
    expect(replay.restaurants().map((r) => [r.rid, r.connections])).toEqual([['r-001', state.figuresOf('r-001', at(30))?.connections]]);
    expect(state.figuresOf('r-001', at(30))?.connections).toBe(1);
  });

  it('back, then restarted: a connection lost before the restart is not reopened by the new run', () => {
    const { state } = watching(['r-001', 't1', 'c1']);
    for (let s = 1; s <= 20; s++) state.tick(at(s));
    state.drainLifecycle();
    const b = gatewayRun('gw-a', at(21));
    b.add(ev.beat(at(22), 'r-001', 't1', 'c1', true, 12, 'gw-a'));
    state.applyFrame(b.frame(at(23)));
    state.tick(at(23));
    // The new run's c1 is adopted by its beat as any unseen connection is, but no open is written for it.
    expect(state.drainLifecycle()).toEqual([]);
  });
});
