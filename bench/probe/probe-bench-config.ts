/**
 * What `npm run bench:probe` is held to, and how its runs fold into figures. Pure, so the
 * arithmetic of medians and ratios is tested rather than trusted.
 */
import { median } from '../shared/stats.ts';
import type { ProbeMode } from '../shared/bench-ipc.ts';

/** The Node gateway child reads the hub and its gateway token from here (never argv: `ps` shows argv). */
export const benchHubEnv = 'PULSE_BENCH_HUB';
export const benchTokenEnv = 'PULSE_BENCH_INGEST_TOKEN';

export type Target = 'node' | 'python';

/** The gateway ids the probes report as: the gateway token is minted for exactly this id (a hub refuses any other). */
export const benchGatewayId: Record<Target, string> = { node: 'gw-probe-bench-node', python: 'gw-probe-bench-python' };

/** CPU of the gateway with the probe over CPU without it (issue 11). */
export const targets: Record<Target, { cpuRatio: number }> = {
  node: { cpuRatio: 1.2 },
  python: { cpuRatio: 1.3 },
};

export const defaultTerminals: Record<Target, number> = { node: 10_000, python: 1_000 };

/** The figures of one run that the summary folds: CPU is % of one core, median of the steady windows. */
export interface RunFigures {
  target: Target;
  probe: ProbeMode;
  cpuPct: number;
  /** RSS per connection held, young generation left out (Node); null where not measured. */
  rssPerConnectionBytes: number | null;
  held: number;
  loadavgStart: number;
}

export interface TargetSummary {
  target: Target;
  runs: { on: number; off: number };
  cpuMedianPct: { on: number; off: number };
  /** median(on) / median(off). */
  ratioOfMedians: number;
  /** on / off of each pair as run (runOrder pairs runs 2i and 2i+1: minutes apart, so load drift mostly cancels). */
  pairRatios: number[];
  medianPairRatio: number;
  rssPerConnectionBytes: { on: number | null; off: number | null };
  /** The probe's own share of RSS per connection: median(on) − median(off). */
  probeRssPerConnectionBytes: number | null;
  targetCpuRatio: number;
  meetsCpuTarget: boolean;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function medianOrNull(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? null : median(v);
}

/** On/off ratios of consecutive pairs of one target's runs, in the order they ran. */
export function pairRatiosOf(runs: readonly RunFigures[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < runs.length; i += 2) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (a.probe === b.probe) continue;
    const [on, off] = a.probe === 'on' ? [a, b] : [b, a];
    if (off.cpuPct > 0) out.push(round(on.cpuPct / off.cpuPct));
  }
  return out;
}

/** One summary for one target's runs (in run order); null when either mode is missing. */
export function summarize(target: Target, runs: readonly RunFigures[]): TargetSummary | null {
  const mine = runs.filter((r) => r.target === target);
  const on = mine.filter((r) => r.probe === 'on');
  const off = mine.filter((r) => r.probe === 'off');
  if (on.length === 0 || off.length === 0) return null;
  const cpuOn = median(on.map((r) => r.cpuPct));
  const cpuOff = median(off.map((r) => r.cpuPct));
  const ratioOfMedians = cpuOff > 0 ? round(cpuOn / cpuOff) : NaN;
  const pairs = pairRatiosOf(mine);
  const rssOn = medianOrNull(on.map((r) => r.rssPerConnectionBytes));
  const rssOff = medianOrNull(off.map((r) => r.rssPerConnectionBytes));
  return {
    target,
    runs: { on: on.length, off: off.length },
    cpuMedianPct: { on: round(cpuOn), off: round(cpuOff) },
    ratioOfMedians,
    pairRatios: pairs,
    medianPairRatio: pairs.length > 0 ? round(median(pairs)) : NaN,
    rssPerConnectionBytes: { on: rssOn === null ? null : Math.round(rssOn), off: rssOff === null ? null : Math.round(rssOff) },
    probeRssPerConnectionBytes: rssOn !== null && rssOff !== null ? Math.round(rssOn - rssOff) : null,
    targetCpuRatio: targets[target].cpuRatio,
    meetsCpuTarget: ratioOfMedians <= targets[target].cpuRatio,
  };
}
