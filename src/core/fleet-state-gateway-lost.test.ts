/**
 * A gateway silent past the timeout is lost, and so are its connections: the state closes each
 * once, with cause `gateway_lost` at the gateway's last frame, and the replay reads them closed.
 */
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent, TelemetryFrame } from '../protocol/telemetry.ts';
import { FleetState } from './fleet-state.ts';
import { FleetReplay } from './replay/fleet-replay.ts';
import { ev } from './test-helpers/telemetry-events.ts';

const S = 1000;
const M0 = Date.UTC(2026, 11, 3, 19, 40);
const at = (s: number) => M0 + s * S;
const frame = (gw: string, run: number, seq: number, t: number, lifecycle: LifecycleEvent[]): TelemetryFrame => ({ v: 1, gw, run, seq, t, seconds: [], lifecycle });

describe('a lost gateway', () => {
  it('closes each of its connections once, as gateway_lost at its last frame; back, it opens fresh', () => {
    const state = new FleetState({ gatewayTimeoutMs: 15 * S });
    const opens = [ev.open(at(1), 'r-001', 't1', 'c1', 'gw-a'), ev.open(at(2), 'r-001', 't2', 'c2', 'gw-a'), ev.open(at(2), 'r-002', 't3', 'c3', 'gw-b')];
    state.tick(at(1));
    state.applyFrame(frame('gw-a', 1, 1, at(3), opens.slice(0, 2)));
    state.applyFrame(frame('gw-b', 1, 1, at(3), opens.slice(2)));
    state.tick(at(4));
    state.applyFrame(frame('gw-a', 1, 2, at(5), []));
    for (let s = 5; s <= 40; s++) {
      state.tick(at(s));
      if (s <= 20) state.applyFrame(frame('gw-b', 1, s, at(s), [])); // gw-b keeps talking until 20 s
    }
    const closes = state.drainLifecycle();
    const byConn = (es: LifecycleEvent[]) => es.map((e) => (e.type === 'close' ? { gw: e.gw, conn: e.conn, t: e.t, code: e.code, cause: e.cause, durationMs: e.durationMs } : e.type));
    expect(byConn(closes)).toEqual([
      { gw: 'gw-a', conn: 'c1', t: at(5), code: 1006, cause: 'gateway_lost', durationMs: 4 * S },
      { gw: 'gw-a', conn: 'c2', t: at(5), code: 1006, cause: 'gateway_lost', durationMs: 3 * S },
      { gw: 'gw-b', conn: 'c3', t: at(20), code: 1006, cause: 'gateway_lost', durationMs: 18 * S },
    ]);
    expect(state.drainLifecycle()).toEqual([]); // once: further ticks add nothing
    state.tick(at(60));
    expect(state.drainLifecycle()).toEqual([]);
    // gw-a back: its new connection is open, nothing of the old ones.
    state.applyFrame(frame('gw-a', 1, 3, at(61), [ev.open(at(61), 'r-001', 't1', 'c9', 'gw-a')]));
    state.tick(at(62));
    expect(state.drainLifecycle()).toEqual([]);
    expect(state.figuresOf('r-001', at(62))?.connections).toBe(1);
    expect(state.terminalsOf('r-001', at(62)).map((t) => [t.tid, t.connections.map((c) => c.conn)])).toEqual([['t1', ['c9']], ['t2', []]]);
  });

  it('the replay of what the store holds reads its connections closed after the loss', () => {
    const state = new FleetState({ gatewayTimeoutMs: 15 * S });
    const opens = [ev.open(at(1), 'r-001', 't1', 'c1', 'gw-a'), ev.open(at(2), 'r-001', 't2', 'c2', 'gw-a')];
    state.tick(at(1));
    state.applyFrame(frame('gw-a', 1, 1, at(3), opens));
    for (let s = 2; s <= 30; s++) state.tick(at(s));
    const stored = [...opens, ...state.drainLifecycle()];
    const replay = new FleetReplay({ events: stored, minutes: [] }, M0);
    replay.advanceTo(at(2));
    expect(replay.restaurants().map((r) => [r.rid, r.connections])).toEqual([['r-001', 2]]);
    replay.advanceTo(at(25));
    expect(replay.restaurants().map((r) => [r.rid, r.connections])).toEqual([['r-001', 0]]);
  });
});
