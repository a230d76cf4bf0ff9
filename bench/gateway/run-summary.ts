/**
 * The gateway bench's repeated runs (`--repeat N`) folded into one figure per probe mode: the median of the runs'
 * figures (the fewest connections held, for "held"). Why repeat at all: on a shared 2-core machine
 * the gateway's CPU moves by ±10 % between two runs a minute apart, which is as large as the
 * probe's own cost, so one on/off pair can pass or miss the 1.2× target by chance; medians over
 * alternating pairs (on, off, off, on, …) cancel the drift.
 */
import { median } from '../shared/stats.ts';
import type { RunResult } from './gateway-bench.ts';

const med = (runs: readonly RunResult[], pick: (r: RunResult) => number) => median(runs.map(pick));
const medOrNull = (runs: readonly RunResult[], pick: (r: RunResult) => number | null) => {
  const values = runs.map(pick).filter((v): v is number => v !== null);
  return values.length === 0 ? null : median(values);
};

/** One RunResult for the runs of one mode; the first run's as it is when there is only one. */
export function combineRuns(runs: readonly RunResult[]): RunResult {
  const first = runs[0];
  if (!first) throw new Error('no runs to combine');
  if (runs.length === 1) return first;
  return {
    ...first,
    held: Math.min(...runs.map((r) => r.held)),
    heldMin: Math.min(...runs.map((r) => r.heldMin)),
    rampSeconds: med(runs, (r) => r.rampSeconds),
    cpu: {
      windows: runs.flatMap((r) => r.cpu.windows),
      medianPct: med(runs, (r) => r.cpu.medianPct),
      meanPct: med(runs, (r) => r.cpu.meanPct),
      userPct: med(runs, (r) => r.cpu.userPct),
      systemPct: med(runs, (r) => r.cpu.systemPct),
    },
    rss: {
      beforeBytes: med(runs, (r) => r.rss.beforeBytes),
      afterBytes: med(runs, (r) => r.rss.afterBytes),
      perConnectionBytes: med(runs, (r) => r.rss.perConnectionBytes),
      rawPerConnectionBytes: med(runs, (r) => r.rss.rawPerConnectionBytes),
    },
    heap: {
      perConnectionBytes: med(runs, (r) => r.heap.perConnectionBytes),
      totalPerConnectionBytes: med(runs, (r) => r.heap.totalPerConnectionBytes),
      externalPerConnectionBytes: med(runs, (r) => r.heap.externalPerConnectionBytes),
      youngGenGrowthBytes: med(runs, (r) => r.heap.youngGenGrowthBytes),
      oldSpaceFreePerConnectionBytes: med(runs, (r) => r.heap.oldSpaceFreePerConnectionBytes),
    },
    rtt: { count: runs.reduce((n, r) => n + r.rtt.count, 0), p50: medOrNull(runs, (r) => r.rtt.p50), p99: medOrNull(runs, (r) => r.rtt.p99), max: medOrNull(runs, (r) => r.rtt.max) },
    terminals: {
      cpuPct: med(runs, (r) => r.terminals.cpuPct),
      connectFails: runs.reduce((n, r) => n + r.terminals.connectFails, 0),
      closesInSteadyState: runs.reduce((n, r) => n + r.terminals.closesInSteadyState, 0),
    },
    probeEventsPerSec: medOrNull(runs, (r) => r.probeEventsPerSec),
    loadavg: { start: first.loadavg.start, end: runs[runs.length - 1]!.loadavg.end },
  };
}

/** One combined result per mode that was run, 'on' before 'off'. */
export function perMode(runs: readonly RunResult[]): RunResult[] {
  return (['on', 'off'] as const).map((mode) => runs.filter((r) => r.probe === mode)).filter((rs) => rs.length > 0).map(combineRuns);
}

/**
 * probe-on CPU / probe-off CPU of each on/off pair as run (runOrder makes runs 2i and 2i+1 a pair):
 * the two runs of a pair are minutes apart, so drift of the machine's load mostly cancels in them.
 */
export function pairRatios(runs: readonly RunResult[]): number[] {
  const ratios: number[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (a.probe === b.probe) continue;
    const [on, off] = a.probe === 'on' ? [a, b] : [b, a];
    if (off.cpu.medianPct > 0) ratios.push(on.cpu.medianPct / off.cpu.medianPct);
  }
  return ratios;
}
