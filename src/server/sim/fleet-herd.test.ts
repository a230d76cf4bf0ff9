/**
 * Kill and restart the real gateway under a fleet of 200 terminals (PITFALLS: no jitter → every
 * client reconnects in the same instant): every terminal comes back, and the reconnects are
 * spread by the backoff's jitter rather than landing together.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFleet } from './fleet.ts';
import type { Fleet } from './fleet.ts';
import { parseScenario } from './scenario.ts';
import { heartbeatMs, startTestGateway, testSecret, waitFor } from './test-helpers/sim-fixture.ts';
import type { TestGateway } from './test-helpers/sim-fixture.ts';
import type { TruthEvent } from './truth-events.ts';

let gw: TestGateway | undefined;
let fleet: Fleet | undefined;

afterAll(async () => {
  await fleet?.stop();
  await gw?.close();
});

/** The largest number of `times` inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('gateway restart under a fleet (herd reconnect)', () => {
  it('measures the busiest window (the check below can fail)', () => {
    expect(busiestWindow([0, 10, 99, 100, 250], 100)).toBe(3);
    expect(busiestWindow(Array.from({ length: 200 }, (_, i) => i % 50), 100)).toBe(200);
  });

  it('brings every terminal back, with no 100 ms window holding more than 15 % of the reconnects', async () => {
    const terminals = 200;
    const truth: TruthEvent[] = [];
    let restartedAt = 0;
    gw = await startTestGateway();
    const scenario = parseScenario(JSON.stringify({ network: { default: 'ideal' }, orders: { perTerminalPerMinute: 0 }, faults: [{ type: 'gateway-restart', at: 2.5 }] }));
    fleet = await startFleet({
      gatewayUrl: gw.url,
      secret: testSecret,
      restaurants: 50,
      terminals: { min: 4, max: 4 },
      scenario,
      heartbeatIntervalMs: heartbeatMs,
      rampPerSec: 5000,
      backoff: { baseMs: 200, capMs: 6400 },
      stableAfterMs: 400,
      onTruth: (e) => truth.push(e),
      restartGateway: async () => {
        await gw!.restart(2500);
        restartedAt = Date.now();
      },
    });
    await waitFor('200 terminals connected before the restart', () => gw!.gateway.connectionCount() === terminals, 2400);
    await waitFor('the restart', () => restartedAt > 0, 8000);
    await waitFor('every terminal back on the new gateway', () => gw!.gateway.connectionCount() === terminals && fleet!.connectedCount() === terminals, 12_000);

    // Everyone was told 1001 by the old gateway, and every terminal opened again afterwards.
    const closes = truth.filter((e): e is Extract<TruthEvent, { ev: 'close' }> => e.ev === 'close');
    expect(closes).toHaveLength(terminals);
    expect(closes.every((c) => c.code === 1001 && c.by === 'server')).toBe(true);
    const reopens = truth.filter((e) => e.ev === 'open' && e.attempt > 0).map((e) => e.t);
    expect(reopens).toHaveLength(terminals);
    expect(new Set(truth.filter((e) => e.ev === 'open' && e.attempt > 0).map((e) => 'tid' in e && e.tid)).size).toBe(terminals);
    expect(Math.min(...reopens)).toBeGreaterThanOrEqual(restartedAt - 50);

    const busiest = busiestWindow(reopens, 100);
    const spanMs = Math.max(...reopens) - Math.min(...reopens);
    console.log(`herd: ${terminals} reconnects over ${spanMs} ms; busiest 100 ms window ${busiest} (${((busiest / terminals) * 100).toFixed(1)} %)`);
    expect(busiest).toBeLessThanOrEqual(terminals * 0.15);
    // While it was down the attempts failed, and the truth says why.
    const fails = truth.filter((e): e is Extract<TruthEvent, { ev: 'connect_fail' }> => e.ev === 'connect_fail');
    expect(fails.length).toBeGreaterThan(terminals);
    expect(new Set(fails.map((e) => e.error))).toContain('ECONNREFUSED');
    // Each retry honoured the policy: never below the base.
    expect(truth.filter((e) => e.ev === 'retry').every((e) => e.ev === 'retry' && e.delayMs >= 200 && e.delayMs <= 6400)).toBe(true);
  }, 25_000);
});
