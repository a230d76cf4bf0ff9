import { describe, expect, it } from 'vitest';
import type { RestaurantFiguresWire } from '../../../protocol/live.ts';
import { FiguresState, atWirePrecision, defaultRefreshPolicy, refreshPeriodMs, refreshPhase } from './tick-diff.ts';
import { figures } from './test-helpers/fake-live-source.ts';

const rtt = (p50: number) => ({ p50, p95: 40, p99: 60 });

describe('FiguresState', () => {
  it('sends a new restaurant whole, then patches of only the fields that changed', () => {
    const state = new FiguresState(0);
    expect(state.apply([figures('a'), figures('b')], 0).changed).toEqual([figures('a'), figures('b')]);
    const next = state.apply([figures('a'), figures('b', { connections: 1, status: 'degraded' })], 1000);
    expect(next).toEqual({ changed: [{ rid: 'b', status: 'degraded', connections: 1 }], removed: [] });
    expect(state.apply([figures('a'), figures('b', { connections: 1, status: 'degraded' })], 2000)).toEqual({ changed: [], removed: [] });
  });

  it('sees a change nested in percentiles and error counts, and sends null as a value', () => {
    const state = new FiguresState(0);
    state.apply([figures('a')], 0);
    expect(state.apply([figures('a', { rttMs: rtt(21) })], 1000).changed).toEqual([{ rid: 'a', rttMs: rtt(21) }]);
    expect(state.apply([figures('a', { rttMs: rtt(21), errors: { too_large: 1 } })], 2000).changed).toEqual([{ rid: 'a', errors: { too_large: 1 } }]);
    expect(state.apply([figures('a', { rttMs: null, errors: { too_large: 1 } })], 3000).changed).toEqual([{ rid: 'a', rttMs: null }]);
  });

  it('holds a rolling change until the restaurant\'s refresh period is up, then sends the latest value', () => {
    const state = new FiguresState(30_000);
    state.apply([figures('a')], 0);
    const firstDue = 30_000 - refreshPhase('a', 30_000);
    const sent: { t: number; p50: number | undefined }[] = [];
    // The RTT moves every tick for 70 s.
    for (let t = 1000; t <= 70_000; t += 1000) {
      for (const p of state.apply([figures('a', { rttMs: rtt(20 + t / 1000) })], t).changed) sent.push({ t, p50: p.rttMs?.p50 });
    }
    const dueTicks = [Math.ceil(firstDue / 1000) * 1000];
    while (dueTicks.at(-1)! + 30_000 <= 70_000) dueTicks.push(dueTicks.at(-1)! + 30_000);
    expect(sent).toEqual(dueTicks.map((t) => ({ t, p50: 20 + t / 1000 })));
    // What a snapshot shows is what the deltas sent, not the newer value still waiting.
    expect([...state.values()][0]!.rttMs).toEqual(rtt(20 + dueTicks.at(-1)! / 1000));
  });

  it('sends status and connection changes at once, with the rolling changes that were waiting', () => {
    const state = new FiguresState(30_000);
    state.apply([figures('a')], 0);
    const t = 30_000 - refreshPhase('a', 30_000) - 2000; // before the first refresh is due
    expect(state.apply([figures('a', { rttMs: rtt(25) })], Math.max(1, t - 1000)).changed).toEqual([]);
    expect(state.apply([figures('a', { rttMs: rtt(25), connections: 3, heartbeatSuccess: 0.75 })], Math.max(2, t)).changed).toEqual([
      { rid: 'a', connections: 3, rttMs: rtt(25), heartbeatSuccess: 0.75 },
    ]);
  });

  it('does not skip a waiting change when the source hands the same object again', () => {
    const state = new FiguresState(5000);
    const quiet = figures('a', { rttMs: rtt(30) });
    state.apply([figures('a')], 0);
    let sent: RestaurantFiguresWire['rttMs'] | undefined;
    for (let t = 1000; t <= 10_000 && sent === undefined; t += 1000) sent = state.apply([quiet], t).changed[0]?.rttMs;
    expect(sent).toEqual(rtt(30));
  });

  it('lengthens the refresh period with the fleet, within its bounds', () => {
    const period = (n: number) => refreshPeriodMs(defaultRefreshPolicy, n);
    expect([period(0), period(30), period(150), period(600), period(1800), period(2000), period(19_000)]).toEqual([5000, 5000, 5000, 20_000, 60_000, 60_000, 60_000]);
    expect(refreshPeriodMs({ ...defaultRefreshPolicy, maxMs: 0 }, 2000)).toBe(0);
    expect(refreshPeriodMs({ ...defaultRefreshPolicy, maxMs: 2000 }, 2000)).toBe(2000);
    // Budget: a quiet fleet of 2,000 whose RTTs all move refreshes ~33 restaurants a second.
    const state = new FiguresState();
    const fleet = (t: number) => Array.from({ length: 2000 }, (_, i) => figures(`r-${i}`, { rttMs: rtt(20 + t / 1000) }));
    state.apply(fleet(0), 0);
    expect(state.refreshMs).toBe(60_000);
    let sent = 0;
    for (let t = 1000; t <= 120_000; t += 1000) sent += state.apply(fleet(t), t).changed.length;
    expect(sent / 120).toBeCloseTo(2000 / 60, 0);
  });

  it('spreads refresh phases over the period', () => {
    const phases = Array.from({ length: 2000 }, (_, i) => refreshPhase(`r-${String(i + 1).padStart(4, '0')}`, 30_000));
    const perSecond = new Array<number>(30).fill(0);
    for (const p of phases) perSecond[Math.floor(p / 1000)]!++;
    // 2,000 over 30 s is ~67 a second; no second holds more than twice that.
    expect(Math.max(...perSecond)).toBeLessThan(134);
    expect(Math.min(...perSecond)).toBeGreaterThan(30);
  });

  it('publishes at wire precision: a change in the fifth decimal is not a change', () => {
    const state = new FiguresState(0);
    const precise = figures('a', { rttMs: { p50: 12.3449, p95: 0.812345, p99: 1234.56 }, heartbeatSuccess: 0.987654, stability: 0.99999, reconnectsPerMin: 1 / 3 });
    expect(atWirePrecision(precise)).toMatchObject({ rttMs: { p50: 12.3, p95: 0.812, p99: 1230 }, heartbeatSuccess: 0.9877, stability: 1, reconnectsPerMin: 0.333 });
    state.apply([precise], 0);
    expect(state.apply([{ ...precise, heartbeatSuccess: 0.987661 }], 1000).changed).toEqual([]);
  });

  it('reports restaurants gone from the source as removed, once, and a returning one whole', () => {
    const state = new FiguresState(0);
    state.apply([figures('a'), figures('b')], 0);
    expect(state.apply([figures('b')], 1000).removed).toEqual(['a']);
    expect(state.apply([figures('b')], 2000).removed).toEqual([]);
    expect([...state.values()].map((f) => f.rid)).toEqual(['b']);
    expect(state.apply([figures('a'), figures('b')], 3000).changed).toEqual([figures('a')]);
  });

  it('takes the first of duplicated restaurants', () => {
    const state = new FiguresState(0);
    state.apply([figures('a', { connections: 1 }), figures('a', { connections: 2 })], 0);
    expect([...state.values()]).toEqual([figures('a', { connections: 1 })]);
    expect(state.size).toBe(1);
  });
});
