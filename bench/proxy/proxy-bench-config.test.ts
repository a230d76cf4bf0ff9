/** The proxy bench's arithmetic: descriptors per process, the phase order, the figures against their targets. */
import { describe, expect, it } from 'vitest';
import { descriptorLimits, terminalsThatFit } from './proxy-bench-config.ts';
import { checkTargets, summarise } from './proxy-bench-report.ts';
import { phaseOrder } from './proxy-bench-run.ts';
import type { PhaseResult } from './proxy-bench-run.ts';

const limitsText = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes`;

const phase = (route: PhaseResult['route'], p99: number, extra: Partial<PhaseResult> = {}): PhaseResult => ({
  route,
  held: 1000,
  rampSeconds: 1,
  rtt: { count: 100, p50: p99 / 2, p99, max: p99 * 2 },
  proxy: route === 'proxy' ? { cpu: { windows: [], medianPct: 4, meanPct: 4.2, userPct: 3, systemPct: 1.2 }, rss: { beforeBytes: 50e6, afterBytes: 60e6, perTerminalBytes: 10_000, perTerminalWithoutYoungBytes: 9000 }, heap: { usedPerTerminalBytes: 7000, totalPerTerminalBytes: 9000, outsidePerTerminalBytes: 1000 }, gc: { pauses: 10, totalMs: 5, maxMs: p99 / 4 } } : null,
  gatewayCpuPct: 3,
  terminals: { cpuPct: 5, connectFails: 0, closesInSteadyState: 0 },
  loadavg: [1, 1, 1],
  ...extra,
});

describe('proxy bench', () => {
  it('reads the descriptor limit and fits two sockets per terminal in it, with room for its own', () => {
    expect(descriptorLimits(limitsText)).toEqual({ soft: 20_000, hard: 20_000 });
    expect(descriptorLimits('nothing here')).toBeNull();
    expect(terminalsThatFit(20_000)).toBe(9900);
    expect(terminalsThatFit(20_000) * 2).toBeLessThan(20_000 - 100);
    expect(terminalsThatFit(1_048_576)).toBeGreaterThan(10_000);
  });

  it('alternates the routes so neither always runs first', () => {
    expect(phaseOrder(1)).toEqual(['direct', 'proxy']);
    expect(phaseOrder(3)).toEqual(['direct', 'proxy', 'proxy', 'direct', 'direct', 'proxy']);
  });

  it('takes the added p99 as the difference of the medians, and checks it against 1 ms', () => {
    const options = { terminals: 1000, durationS: 60, rampPerSec: 1000, repeat: 2, perRestaurant: 10, sourceAddresses: 64, heartbeatIntervalMs: 15_000, proxyNodeFlags: [] };
    const s = summarise({ options, phases: [phase('direct', 1.0), phase('proxy', 1.5), phase('proxy', 2.9), phase('direct', 1.2)] });
    expect(s.addedP99Ms).toBeCloseTo(2.2 - 1.1);
    expect(s.addedP99PerPairMs.map((v) => Math.round(v * 10) / 10)).toEqual([0.5, 1.7]);
    // The proxy's longest GC pause of any phase (its own share of the tail), not a median.
    expect(s.gcMaxPauseMs).toBeCloseTo(2.9 / 4);
    expect(checkTargets(s).map((c) => [c.name, c.pass])).toEqual([
      ['RTT added at p99', false],
      ['proxy CPU', true],
      ['proxy RSS per terminal', true],
    ]);
    // A phase on a crowded machine leaves the RTT verdict open rather than passing or failing it.
    expect(checkTargets(s, false)[0]!.pass).toBeNull();
  });
});
