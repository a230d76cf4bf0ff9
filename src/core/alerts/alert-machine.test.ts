import { describe, expect, it } from 'vitest';
import { initialAlertState, stepAlert, type AlertState, type HoldReason, type Thresholds } from './alert-machine.ts';

/** RTT p95 > 200 ms for 30 s fires; ≤ 150 ms for 10 s clears. */
const rtt: Thresholds = { firesBelow: false, fire: 200, clear: 150, forMs: 30_000, clearForMs: 10_000 };
/** Heartbeat success < 90 % for 20 s fires; ≥ 95 % clears at once. */
const hb: Thresholds = { firesBelow: true, fire: 0.9, clear: 0.95, forMs: 20_000, clearForMs: 0 };

type Step = [t: number, value: number | null, hold?: HoldReason];

/** Runs the steps (t in seconds) and returns the events as `firing@t` / `resolved@t:reason`, and the last phase. */
function run(th: Thresholds, steps: Step[]): { events: string[]; phase: string; phases: string[] } {
  let s: AlertState = initialAlertState(0);
  const events: string[] = [];
  const phases: string[] = [];
  for (const [t, value, hold] of steps) {
    const r = stepAlert(th, s, { now: t * 1000, value, hold: hold ?? null });
    s = r.state;
    phases.push(s.phase);
    if (r.event) events.push(r.event.type === 'firing' ? `firing@${t}` : `resolved@${t}:${r.event.endedBy}`);
  }
  return { events, phase: s.phase, phases };
}

/** One step per second from `from` to `to` inclusive with `value(t)`. */
const seconds = (from: number, to: number, value: (t: number) => number | null, hold?: HoldReason): Step[] =>
  Array.from({ length: to - from + 1 }, (_, k) => [from + k, value(from + k), hold] as Step);

describe('stepAlert: thresholds with `for`', () => {
  const cases: { name: string; th: Thresholds; steps: Step[]; events: string[]; phase: string }[] = [
    { name: 'below the threshold: nothing', th: rtt, steps: seconds(0, 60, () => 180), events: [], phase: 'inactive' },
    { name: 'at the threshold exactly is not past it', th: rtt, steps: seconds(0, 60, () => 200), events: [], phase: 'inactive' },
    { name: 'past it for less than `for`: pending, then gone', th: rtt, steps: [...seconds(0, 29, () => 250), [30, 100]], events: [], phase: 'inactive' },
    { name: 'past it for `for`: fires once, at for', th: rtt, steps: seconds(0, 60, () => 250), events: ['firing@30'], phase: 'firing' },
    { name: 'one good tick starts `for` over', th: rtt, steps: [...seconds(0, 20, () => 250), [21, 120], ...seconds(22, 60, () => 250)], events: ['firing@52'], phase: 'firing' },
    { name: 'below-firing metric (heartbeat success)', th: hb, steps: [...seconds(0, 25, () => 0.8), ...seconds(26, 30, () => 0.97)], events: ['firing@20', 'resolved@26:recovered'], phase: 'resolved' },
    { name: 'for 0 fires on the first bad tick', th: { ...rtt, forMs: 0 }, steps: [[0, 100], [1, 300]], events: ['firing@1'], phase: 'firing' },
    { name: 'no data is no breach', th: rtt, steps: seconds(0, 60, () => null), events: [], phase: 'inactive' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.th, c.steps);
      expect(r.events).toEqual(c.events);
      expect(r.phase).toBe(c.phase);
    });
  }
});

describe('stepAlert: hysteresis', () => {
  it('a firing alert stays firing between the clear and fire thresholds', () => {
    const r = run(rtt, [...seconds(0, 30, () => 250), ...seconds(31, 120, () => 170)]);
    expect(r.events).toEqual(['firing@30']);
    expect(r.phase).toBe('firing');
  });

  it('resolves only after the value stays past `clear` for clearFor', () => {
    const r = run(rtt, [...seconds(0, 30, () => 250), ...seconds(31, 35, () => 140), [36, 160], ...seconds(37, 50, () => 140)]);
    // 31–35 good, 36 back in the band (restarts clearFor), good again from 37: resolved at 47.
    expect(r.events).toEqual(['firing@30', 'resolved@47:recovered']);
  });

  it('a value flapping at the fire threshold after firing: one firing, no resolve, no second firing', () => {
    const r = run(rtt, [...seconds(0, 30, () => 250), ...seconds(31, 300, (t) => (t % 2 === 0 ? 205 : 195))]);
    expect(r.events).toEqual(['firing@30']);
  });

  it('a value flapping at the fire threshold before firing (period < for): never fires', () => {
    const r = run(rtt, seconds(0, 300, (t) => (t % 10 < 5 ? 205 : 195)));
    expect(r.events).toEqual([]);
    expect(new Set(r.phases)).toEqual(new Set(['pending', 'inactive']));
  });

  it('a value flapping across both thresholds slower than for: each episode fires and resolves once', () => {
    // 40 s bad, 20 s good, twice.
    const r = run(rtt, seconds(0, 119, (t) => (t % 60 < 40 ? 300 : 100)));
    expect(r.events).toEqual(['firing@30', 'resolved@50:recovered', 'firing@90', 'resolved@110:recovered']);
  });
});

describe('stepAlert: held outside opening hours and by silences', () => {
  it('a restaurant closing while pending: the pending alert is dropped, and `for` starts over after reopening', () => {
    const r = run(rtt, [...seconds(0, 20, () => 250), ...seconds(21, 100, () => 250, 'closed'), ...seconds(101, 140, () => 250)]);
    expect(r.events).toEqual(['firing@131']);
    expect(r.phases[21]).toBe('held');
  });

  it('a firing alert resolves as `closed` when the restaurant closes, and nothing fires while closed', () => {
    const r = run(rtt, [...seconds(0, 40, () => 250), ...seconds(41, 400, () => 250, 'closed')]);
    expect(r.events).toEqual(['firing@30', 'resolved@41:closed']);
    expect(r.phase).toBe('held');
  });

  it('a silence starting while firing resolves it as `silenced`; after the silence ends it fires again after `for`', () => {
    const r = run(rtt, [...seconds(0, 40, () => 250), ...seconds(41, 99, () => 250, 'silenced'), ...seconds(100, 140, () => 250)]);
    expect(r.events).toEqual(['firing@30', 'resolved@41:silenced', 'firing@130']);
  });

  it('a fault that ends during a silence fires nothing at all', () => {
    const r = run(rtt, [...seconds(0, 10, () => 100), ...seconds(11, 60, () => 250, 'silenced'), ...seconds(61, 120, () => 100)]);
    expect(r.events).toEqual([]);
    expect(r.phase).toBe('inactive');
  });

  it('a hold that changes reason (closed, then silenced) stays held and fires nothing', () => {
    const r = run(rtt, [...seconds(0, 50, () => 250, 'closed'), ...seconds(51, 100, () => 250, 'silenced')]);
    expect(r.events).toEqual([]);
    expect(r.phase).toBe('held');
  });
});
