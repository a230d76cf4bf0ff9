import { describe, expect, it } from 'vitest';
import { computeFigures, minuteFigures, statusOf, stormErrors, totals, wireFigures } from './figures.ts';
import type { StatusInputs } from './figures.ts';
import { RestaurantWindows } from './fleet-state-window.ts';
import { createHistogram } from './histogram.ts';
import { M0 } from './test-helpers/telemetry-events.ts';

const ok = { healthy: 0, degraded: 0, unhealthy: 0 };
const base: StatusInputs = { expected: 4, connectedTerminals: 4, heartbeatSuccess: 1, terminals: { ...ok, healthy: 4 }, errorsInWindow: 0 };

describe('status rule', () => {
  it.each([
    ['all there, all fine', {}, 'healthy'],
    ['nothing expected, nothing connected', { expected: 0, connectedTerminals: 0 }, 'unknown'],
    ['expected but none connected', { connectedTerminals: 0 }, 'offline'],
    ['one of four missing', { connectedTerminals: 3 }, 'degraded'],
    ['only one of four connected', { connectedTerminals: 1 }, 'unhealthy'],
    ['heartbeat success 90 %', { heartbeatSuccess: 0.9 }, 'degraded'],
    ['heartbeat success 70 %', { heartbeatSuccess: 0.7 }, 'unhealthy'],
    ['no heartbeat expected yet', { heartbeatSuccess: null }, 'healthy'],
    ['a terminal silent ≥ 20 s', { terminals: { healthy: 3, degraded: 1, unhealthy: 0 } }, 'degraded'],
    ['a terminal silent ≥ 30 s', { terminals: { healthy: 3, degraded: 0, unhealthy: 1 } }, 'unhealthy'],
    ['one error in the last minute', { errorsInWindow: 1 }, 'degraded'],
    // A restart closes every connection once (1001): it degrades, it is not a storm.
    ['an error per expected terminal (a restart)', { errorsInWindow: 4 }, 'degraded'],
    ['more than one error per expected terminal (a storm)', { errorsInWindow: 5 }, 'unhealthy'],
    ['3 errors at a 2-terminal restaurant', { expected: 2, connectedTerminals: 2, terminals: { ...ok, healthy: 2 }, errorsInWindow: 3 }, 'unhealthy'],
    ['3 errors at a 1-terminal restaurant', { expected: 1, connectedTerminals: 1, terminals: { ...ok, healthy: 1 }, errorsInWindow: 3 }, 'unhealthy'],
    ['2 errors at a 1-terminal restaurant', { expected: 1, connectedTerminals: 1, terminals: { ...ok, healthy: 1 }, errorsInWindow: 2 }, 'degraded'],
  ] as const)('%s → %s', (_name, patch, want) => {
    expect(statusOf({ ...base, ...patch })).toBe(want);
  });

  it('calls a storm what its comment says: more than one error per expected terminal, and at least 3', () => {
    for (let expected = 1; expected <= 12; expected++) {
      const all = { ...base, expected, connectedTerminals: expected, terminals: { ...ok, healthy: expected } };
      const storm = stormErrors(expected);
      expect(storm).toBe(Math.max(3, expected + 1));
      expect(statusOf({ ...all, errorsInWindow: storm - 1 }), `${expected} expected, ${storm - 1} errors`).toBe('degraded');
      expect(statusOf({ ...all, errorsInWindow: storm }), `${expected} expected, ${storm} errors`).toBe('unhealthy');
    }
  });
});

describe('figures', () => {
  const idle = (rid: string, now: number) =>
    computeFigures({ rid, now, view: new RestaurantWindows(rid).view(now), connections: 0, connectedTerminals: 0, expected: 0, terminals: ok, openSince: [] });

  it('says null, not 0, where there is nothing to measure', () => {
    const f = idle('r1', M0);
    expect([f.heartbeatSuccess, f.stability, f.rttMs, f.deliveryMs, f.durationMs, f.openAgeMs, f.status]).toEqual([null, null, null, null, null, null, 'unknown']);
    const t = totals([]);
    expect([t.restaurants, t.heartbeatSuccess, t.stability, t.rttMs]).toEqual([0, null, null, null]);
  });

  it('caps shares at 1 (a heartbeat early in the window is not 110 % success)', () => {
    const w = new RestaurantWindows('r1');
    w.credit(M0, M0 + 60_000, 'connectedMs', 1);
    w.count(M0 + 20_000, 'hbExpected', 4);
    w.count(M0 + 1_000, 'hbOnTime', 5);
    const f = computeFigures({ rid: 'r1', now: M0 + 60_000, view: w.view(M0 + 60_000), connections: 1, connectedTerminals: 1, expected: 1, terminals: { ...ok, healthy: 1 }, openSince: [M0] });
    expect(f.heartbeatSuccess).toBe(1);
  });

  it('goes on the wire without its live histograms, and JSON never carries bucket arrays', () => {
    const f = idle('r1', M0);
    expect('histograms' in wireFigures(f)).toBe(false);
    const json = JSON.stringify(f);
    expect(json.length).toBeLessThan(2_000);
    expect(JSON.parse(json).histograms.rtt).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });

  it('reads a stored minute with the same definitions as the live view', () => {
    const rtt = createHistogram();
    for (const v of [10, 20, 30, 40]) rtt.record(v);
    const m = minuteFigures({
      rid: 'r1',
      minute: M0,
      counters: { opens: 2, reconnects: 1, 'closes.4008': 1, 'errors.heartbeat_timeout': 1, hbOnTime: 6, connectedMs: 120_000, healthyMs: 90_000, expectedMs: 180_000 },
      gauges: { connections: { last: 2, min: 1, max: 2 }, expected: { last: 3, min: 3, max: 3 } },
      histograms: { rtt: rtt.encode() },
    });
    expect(m).toMatchObject({ opens: 2, reconnects: 1, closes: { 4008: 1 }, errors: { heartbeat_timeout: 1 }, errorsTotal: 1, heartbeatSuccess: 0.75, stability: 0.5, expected: 3, deliveryMs: null });
    expect(m.rttMs?.p50).toBe(rtt.percentile(50));
  });

  it('reads expected heartbeats from hbExpected, and only a minute written before it existed from connected time', () => {
    const minute = (counters: Record<string, number>) => minuteFigures({ rid: 'r1', minute: M0, counters, gauges: {}, histograms: {} });
    // Connected for 10 s of the minute: no interval ran out yet, so nothing is expected (not 0 %).
    expect(minute({ connectedMs: 10_000, hbExpected: 0 }).heartbeatSuccess).toBeNull();
    expect(minute({ connectedMs: 120_000, hbOnTime: 6, hbExpected: 6 }).heartbeatSuccess).toBe(1);
    expect(minute({ connectedMs: 120_000, hbOnTime: 3, hbExpected: 6 }).heartbeatSuccess).toBe(0.5);
    // Older rows: connected time ÷ 15 s, as they were defined then.
    expect(minute({ connectedMs: 120_000, hbOnTime: 6 }).heartbeatSuccess).toBe(0.75);
  });
});
