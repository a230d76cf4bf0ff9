/**
 * The replay source over answers computed by the core replay itself (FleetReplay, as the hub's
 * endpoints compute them): whatever the cursor does — seek, play forward, pause between frames,
 * go back — the store holds the fleet rebuilt at the instant shown; and playing forward asks for
 * changes, never for a rebuild.
 */
import { describe, expect, it } from 'vitest';
import { FleetReplay } from '../../../../core/replay/fleet-replay.ts';
import { ev } from '../../../../core/test-helpers/telemetry-events.ts';
import type { ReplayChangeFrame, ReplayFleetAnswer, ReplayRestaurantWire } from '../../../../protocol/replay.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import type { ReplayApi } from '../api/replay-api.ts';
import { figuresOfReplay } from './replay-figures.ts';
import { createReplaySource, createReplayStore } from './replay-source.ts';

const S = 1000;
const T = 1_700_000_040_000;
const events: LifecycleEvent[] = [
  ev.open(T + 1 * S, 'r-001', 'r-001-t1', 'a1'),
  ev.open(T + 1 * S, 'r-002', 'r-002-t1', 'b1'),
  ev.open(T + 2 * S, 'r-002', 'r-002-t2', 'b2'),
  ev.close(T + 30 * S + 400, 'r-002', 'r-002-t1', 'b1', 1006, 28_400),
  ev.close(T + 30 * S + 700, 'r-002', 'r-002-t2', 'b2', 1006, 28_700),
  ev.open(T + 45 * S, 'r-003', 'r-003-t1', 'c1'),
  ev.open(T + 50 * S, 'r-002', 'r-002-t1', 'b3'),
];

const wire = (replay: FleetReplay): ReplayRestaurantWire[] =>
  replay.restaurants().map(({ at: _at, ...r }) => ({ ...r, terminalList: replay.terminals(r.rid) }));

/** The endpoints' answers, computed with the core replay; the calls are counted. */
function coreApi() {
  const calls: string[] = [];
  const api: ReplayApi = {
    fleetAt: async (t) => {
      calls.push(`fleet ${t - T}`);
      const answer: ReplayFleetAnswer = { t, window: { from: T, to: T + 3_600_000 }, restaurants: wire(new FleetReplay({ events, minutes: [] }, t)) };
      return answer;
    },
    changes: async (from, to, step) => {
      calls.push(`changes ${from - T}..${to - T}/${step}`);
      const replay = new FleetReplay({ events, minutes: [] }, from);
      let shown = new Map(wire(replay).map((r) => [r.rid, JSON.stringify(r)]));
      const frames: ReplayChangeFrame[] = [];
      for (let t = from + step; t < to + step; t += step) {
        replay.advanceTo(Math.min(t, to));
        const now = wire(replay);
        frames.push({ t: Math.min(t, to), restaurants: now.filter((r) => shown.get(r.rid) !== JSON.stringify(r)), removed: [...shown.keys()].filter((rid) => !now.some((r) => r.rid === rid)) });
        shown = new Map(now.map((r) => [r.rid, JSON.stringify(r)]));
      }
      return { from, to, step, frames };
    },
    markers: async (from, to) => ({ from, to, markers: [] }),
  };
  return { api, calls };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await settled();
}

function expectFleetAt(store: ReturnType<typeof createReplayStore>, t: number): void {
  const want = wire(new FleetReplay({ events, minutes: [] }, t)).map(figuresOfReplay);
  expect([...store.getState().restaurants.values()].sort((a, b) => a.rid.localeCompare(b.rid))).toEqual(want);
}

describe('replay source', () => {
  it('holds the fleet at every instant shown, and plays forward with changes only', async () => {
    const { api, calls } = coreApi();
    const store = createReplayStore();
    const source = createReplaySource({ api, store, now: () => 0 });
    const paused = { aheadMs: 0, stepMs: 1000, limit: T + 3_600_000 };

    source.show(T + 29 * S, paused);
    await until(() => source.shown === T + 29 * S);
    expectFleetAt(store, T + 29 * S);
    expect(store.getState().restaurants.get('r-002')).toMatchObject({ status: 'healthy', connections: 2 });

    // Playing at 10×: frames a second apart fetched ahead, applied as the cursor passes them.
    const playing = { aheadMs: 50_000, stepMs: 1000, limit: T + 3_600_000 };
    for (const s of [30, 31, 33, 46, 52]) {
      source.show(T + s * S, playing);
      await until(() => source.shown === T + s * S);
      expect(source.shown).toBe(T + s * S);
      expectFleetAt(store, T + s * S);
    }
    expect(calls.filter((c) => c.startsWith('fleet'))).toEqual(['fleet 29000']);
    expect(store.getState().restaurants.get('r-003')).toMatchObject({ connections: 1 });

    // Paused between two frames: the state at that millisecond (r-002-t2 closes at 30.7 s, t1 at 30.4 s).
    source.show(T + 30 * S + 500, paused);
    await until(() => source.shown === T + 30 * S + 500);
    expectFleetAt(store, T + 30 * S + 500);
    expect(store.getState().restaurants.get('r-002')).toMatchObject({ connections: 1 });
    source.show(T + 30 * S + 800, paused);
    await until(() => source.shown === T + 30 * S + 800);
    expect(store.getState().restaurants.get('r-002')).toMatchObject({ status: 'offline', connections: 0 });
    expect(calls.at(-1)).toBe('changes 30500..30800/1000');
  });

  it('is never stale while paused, and marks every restaurant a view looks at as current', async () => {
    const { api } = coreApi();
    const store = createReplayStore();
    const source = createReplaySource({ api, store, now: () => 0 });
    source.show(T + 10 * S, { aheadMs: 0, stepMs: 1000, limit: T + 60 * S });
    await until(() => source.shown !== null);
    expect(store.getState()).toMatchObject({ connection: { socket: 'open' }, resyncFrom: null, tickMs: 86_400_000 });
    store.setState((s) => ({ interest: { ...s.interest, parts: new Map([['list', ['r-002']]]), rids: ['r-002'] } }));
    expect([...store.getState().interest.live]).toEqual(['r-002']);
  });

  it('says why when the hub refuses, and does not ask again for the same instant', async () => {
    const { api, calls } = coreApi();
    const refusing: ReplayApi = { ...api, fleetAt: async (t) => (calls.push(`fleet ${t - T}`), Promise.reject(Object.assign(new Error('t must be from …'), { name: 'ApiError' }))) };
    const store = createReplayStore();
    const source = createReplaySource({ api: refusing, store, now: () => 0 });
    source.show(T, { aheadMs: 0, stepMs: 1000, limit: T + 60 * S });
    await until(() => store.getState().lastError !== null);
    expect(store.getState().lastError?.message).toBe('t must be from …');
    source.show(T, { aheadMs: 0, stepMs: 1000, limit: T + 60 * S });
    await settled();
    expect(calls).toEqual(['fleet 0']);
  });
});
