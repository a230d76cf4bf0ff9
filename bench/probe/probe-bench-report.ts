/**
 * The probe bench's report: per gateway, each run as it ran (with the load average at its start,
 * since on a shared machine that is what moves the figures), then the medians, the ratio of the
 * medians and of each on/off pair, beside the target. Figures are printed, never asserted.
 */
import { summarize, type TargetSummary } from './probe-bench-config.ts';
import type { ProbeBenchResult, ProbeRunResult } from './probe-bench-run.ts';

const name = { node: 'Node ws gateway (examples/node-ws-gateway) · attachProbe', python: 'FastAPI gateway (examples/fastapi-gateway) · Python probe' } as const;
const kb = (b: number | null) => (b === null || !Number.isFinite(b) ? 'n/a' : `${(b / 1024).toFixed(1)} KB`);
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} ms`);

function runLine(r: ProbeRunResult): string {
  const p = r.probeStats;
  // A probe whose hub refused it (or never answered) buffers and drops instead of sending: not the cost being measured.
  const broken = p && (p.batchesAcked === 0 || p.dropped > 0) ? ' — NOT A VALID RUN: the probe did not deliver everything to the hub' : '';
  const probe = p ? ` · probe ${p.eventsPerSec} events/s, ${p.batchesAcked} batches acked, ${p.dropped} dropped${broken}` : '';
  return (
    `  [${r.probe === 'on' ? 'on ' : 'off'}] CPU ${r.cpu.medianPct.toFixed(2)} % of one core (mean ${r.cpu.meanPct.toFixed(2)}: user ${r.cpu.userPct.toFixed(2)} + sys ${r.cpu.systemPct.toFixed(2)})` +
    ` · held ${r.held}/${r.asked} · RSS/conn ${kb(r.rssPerConnectionBytes)}${r.heap ? ` (V8 heap used ${kb(r.heap.usedPerConnectionBytes)}, outside V8 ${kb(r.heap.outsidePerConnectionBytes)})` : ''} · RTT p50 ${ms(r.rtt.p50)} p99 ${ms(r.rtt.p99)}${probe} · load ${r.loadavg.start.join(' ')}`
  );
}

function summaryLines(s: TargetSummary): string[] {
  const verdict = s.meetsCpuTarget ? 'within' : 'OVER';
  return [
    `  CPU median of runs: on ${s.cpuMedianPct.on.toFixed(3)} %, off ${s.cpuMedianPct.off.toFixed(3)} % (runs: ${s.runs.on} on, ${s.runs.off} off)`,
    `  CPU on/off: ratio of medians ${s.ratioOfMedians.toFixed(3)}× (target ≤ ${s.targetCpuRatio}×: ${verdict}); per pair ${s.pairRatios.map((p) => `${p.toFixed(3)}×`).join(', ') || 'n/a'} (median ${Number.isFinite(s.medianPairRatio) ? `${s.medianPairRatio.toFixed(3)}×` : 'n/a'})`,
    `  RSS per connection: on ${kb(s.rssPerConnectionBytes.on)}, off ${kb(s.rssPerConnectionBytes.off)}; the probe's share ${kb(s.probeRssPerConnectionBytes)}`,
  ];
}

export function formatReport(result: ProbeBenchResult): string {
  const o = result.options;
  const out: string[] = [
    `bench:probe · heartbeat ${o.heartbeatIntervalMs / 1000} s · steady state ${o.durationS} s per run · ${o.repeat} on/off pair(s) per gateway · ramp ${o.rampPerSec}/s`,
    'CPU: % of one core of the gateway process (every thread), the median of its heartbeat-interval windows; the figure of several runs is their median.',
  ];
  for (const target of o.targets) {
    const runs = result.runs.filter((r) => r.target === target);
    out.push('', `${name[target]} · ${o.terminals[target].toLocaleString('en-US')} terminals`);
    for (const r of runs) out.push(runLine(r));
    const s = summarize(target, runs);
    if (s) out.push(...summaryLines(s));
  }
  out.push('', 'The machine may be shared: compare the load averages of the runs before trusting a ratio; repeat (--repeat) to let drift cancel.');
  return out.join('\n');
}

export function toJson(result: ProbeBenchResult): string {
  return JSON.stringify({ ...result, summaries: result.options.targets.map((t) => summarize(t, result.runs)) }, null, 2);
}
