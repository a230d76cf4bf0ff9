/**
 * The arithmetic of the gateway bench (windows, medians, target checks, the report's wording).
 * No timing is asserted here: the bench itself prints figures and is run by hand.
 */
import { describe, expect, it } from 'vitest';
import { checkTargets, formatReport, probeRatio } from './bench-report.ts';
import { planWindows } from '../shared/run-phases.ts';
import { combineRuns, pairRatios, perMode } from './run-summary.ts';
import { runOrder } from '../shared/run-order.ts';
import { median } from '../shared/stats.ts';
import type { GatewayBenchResult, RunResult } from './gateway-bench.ts';

function run(probe: 'on' | 'off', over: Partial<RunResult> = {}): RunResult {
  return {
    probe,
    asked: 19_000,
    held: 19_000,
    heldMin: 19_000,
    rampSeconds: 20,
    cpu: { windows: [{ seconds: 15, pct: 4, full: true }], medianPct: 4, meanPct: 4, userPct: 2, systemPct: 2 },
    rss: { beforeBytes: 100 << 20, afterBytes: (100 << 20) + 19_000 * 5000, perConnectionBytes: 5000, rawPerConnectionBytes: 6000 },
    heap: { perConnectionBytes: 3000, totalPerConnectionBytes: 4000, externalPerConnectionBytes: 10, youngGenGrowthBytes: 20 << 20, oldSpaceFreePerConnectionBytes: 500 },
    rtt: { count: 76_000, p50: 1, p99: 8, max: 20 },
    terminals: { cpuPct: 5, connectFails: 0, closesInSteadyState: 0 },
    probeEventsPerSec: probe === 'on' ? 3800 : null,
    loadavg: { start: [1, 1, 1], end: [1, 1, 1] },
    ...over,
  };
}

function result(runs: RunResult[]): GatewayBenchResult {
  return { options: { terminals: 19_000, durationS: 60, rampPerSec: 1000, probe: 'both', repeat: 1, perRestaurant: 10, sourceAddresses: 64, heartbeatIntervalMs: 15_000 }, runs };
}

describe('gateway bench arithmetic', () => {
  it('measures in whole heartbeat intervals, with a tail window for the rest', () => {
    expect(planWindows(60, 15_000)).toEqual([15, 15, 15, 15]);
    expect(planWindows(20, 15_000)).toEqual([15, 5]);
    expect(planWindows(5, 15_000)).toEqual([5]);
    expect(planWindows(60.5, 15_000)).toEqual([15, 15, 15, 15]);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('alternates the order of repeated pairs and takes medians per mode', () => {
    expect(runOrder('both', 3)).toEqual(['on', 'off', 'off', 'on', 'on', 'off']);
    expect(runOrder('off', 2)).toEqual(['off', 'off']);
    const cpu = (pct: number) => ({ windows: [], medianPct: pct, meanPct: pct, userPct: pct / 2, systemPct: pct / 2 });
    const runs = [run('on', { cpu: cpu(5) }), run('off', { cpu: cpu(4) }), run('off', { cpu: cpu(6), held: 18_990 }), run('on', { cpu: cpu(7) }), run('on', { cpu: cpu(6) }), run('off', { cpu: cpu(5) })];
    const [on, off] = perMode(runs);
    expect(on?.cpu.medianPct).toBe(6);
    expect(off?.cpu.medianPct).toBe(5);
    expect(off?.held).toBe(18_990);
    expect(probeRatio(result(runs))).toBeCloseTo(1.2);
    expect(combineRuns([runs[0]!])).toBe(runs[0]);
    expect(formatReport(result(runs))).toContain('medians over 3 runs of each mode');
    // Each pair as it ran: (5/4, 7/6, 6/5).
    expect(pairRatios(runs).map((r) => r.toFixed(3))).toEqual(['1.250', '1.167', '1.200']);
    expect(formatReport(result(runs))).toContain('per pair, as run        1.25× · 1.17× · 1.20× (median 1.20×)');
    expect(pairRatios([run('on'), run('on')])).toEqual([]);
  });

  it('checks every target, and says when the 19,000 target was not attempted', () => {
    const pass = checkTargets(result([run('on', { cpu: { windows: [], medianPct: 4.4, meanPct: 4.4, userPct: 2, systemPct: 2.4 } }), run('off')]));
    expect(pass.every((c) => c.pass === true)).toBe(true);
    expect(probeRatio(result([run('on', { cpu: { windows: [], medianPct: 4.4, meanPct: 4.4, userPct: 2, systemPct: 2.4 } }), run('off')]))).toBeCloseTo(1.1);

    const small = checkTargets(result([run('on', { asked: 2000, held: 2000, rss: { beforeBytes: 0, afterBytes: 0, perConnectionBytes: 7000, rawPerConnectionBytes: 7000 } })]));
    expect(small.find((c) => c.name.startsWith('terminals held'))?.pass).toBeNull();
    expect(small.find((c) => c.name.startsWith('RSS'))?.pass).toBe(false);
    // Raw RSS decides: under the target only without the young generation is still a miss.
    const youngOver = checkTargets(result([run('on', { rss: { beforeBytes: 0, afterBytes: 0, perConnectionBytes: 5000, rawPerConnectionBytes: 7000 } })]));
    expect(youngOver.find((c) => c.name.startsWith('RSS'))).toMatchObject({ pass: false, value: '6.84 KB raw (4.88 KB w/o young gen)' });
    expect(small.some((c) => c.name.includes('on / off'))).toBe(false);
  });

  it('prints the figures beside the targets and says how they were measured', () => {
    const text = formatReport(result([run('on', { cpu: { windows: [], medianPct: 6, meanPct: 6, userPct: 3, systemPct: 3 } }), run('off')]));
    expect(text).toContain('CPU probe on / off        1.50×');
    expect(text).toMatch(/✗ CPU probe on \/ off\s+1\.50×\s+target ≤ 1\.2×/);
    expect(text).toMatch(/✓ terminals held \(probe on\)\s+19,000 of 19,000/);
    expect(text).toContain('how it was measured');
  });
});
