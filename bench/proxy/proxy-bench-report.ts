/**
 * What `npm run bench:proxy` prints: each phase as it ran, the medians per route, the figures beside
 * their targets with ✓/✗, and how each was measured. `--json` prints `toJson` instead.
 */
import { cpus } from 'node:os';
import { median } from '../shared/stats.ts';
import { targets } from './proxy-bench-config.ts';
import type { PhaseResult, ProxyBenchResult } from './proxy-bench-run.ts';

export interface Summary {
  direct: { p50: number; p99: number };
  proxy: { p50: number; p99: number };
  /** Median p99 through the proxy − median p99 direct, ms. */
  addedP99Ms: number;
  /** The same for each direct/proxy pair of phases as run (minutes apart, so drift mostly cancels). */
  addedP99PerPairMs: number[];
  proxyCpuPct: number;
  proxyCpuMeanPct: number;
  proxyCpuUserPct: number;
  proxyCpuSystemPct: number;
  rssPerTerminalBytes: number;
  rssPerTerminalWithoutYoungBytes: number;
  heapUsedPerTerminalBytes: number;
  heapTotalPerTerminalBytes: number;
  outsideHeapPerTerminalBytes: number;
  /** Proxy GC pauses in the steady state: the longest of any phase, and the median count and total per phase. */
  gcMaxPauseMs: number;
  gcPauses: number;
  gcTotalMs: number;
  held: number;
}

const of = (phases: PhaseResult[], route: PhaseResult['route']) => phases.filter((p) => p.route === route);
const num = (v: number | null | undefined) => (typeof v === 'number' ? v : NaN);

export function summarise(result: ProxyBenchResult): Summary {
  const direct = of(result.phases, 'direct');
  const proxy = of(result.phases, 'proxy');
  const withProxy = proxy.filter((p) => p.proxy !== null);
  const pairs: number[] = [];
  for (let i = 0; i + 1 < result.phases.length; i += 2) {
    const [a, b] = [result.phases[i]!, result.phases[i + 1]!];
    const [d, p] = a.route === 'direct' ? [a, b] : [b, a];
    pairs.push(num(p.rtt.p99) - num(d.rtt.p99));
  }
  const dP99 = median(direct.map((p) => num(p.rtt.p99)));
  const pP99 = median(proxy.map((p) => num(p.rtt.p99)));
  return {
    direct: { p50: median(direct.map((p) => num(p.rtt.p50))), p99: dP99 },
    proxy: { p50: median(proxy.map((p) => num(p.rtt.p50))), p99: pP99 },
    addedP99Ms: pP99 - dP99,
    addedP99PerPairMs: pairs,
    proxyCpuPct: median(withProxy.map((p) => p.proxy!.cpu.medianPct)),
    proxyCpuMeanPct: median(withProxy.map((p) => p.proxy!.cpu.meanPct)),
    proxyCpuUserPct: median(withProxy.map((p) => p.proxy!.cpu.userPct)),
    proxyCpuSystemPct: median(withProxy.map((p) => p.proxy!.cpu.systemPct)),
    rssPerTerminalBytes: median(withProxy.map((p) => p.proxy!.rss.perTerminalBytes)),
    rssPerTerminalWithoutYoungBytes: median(withProxy.map((p) => p.proxy!.rss.perTerminalWithoutYoungBytes)),
    heapUsedPerTerminalBytes: median(withProxy.map((p) => p.proxy!.heap.usedPerTerminalBytes)),
    heapTotalPerTerminalBytes: median(withProxy.map((p) => p.proxy!.heap.totalPerTerminalBytes)),
    outsideHeapPerTerminalBytes: median(withProxy.map((p) => p.proxy!.heap.outsidePerTerminalBytes)),
    gcMaxPauseMs: Math.max(...withProxy.map((p) => p.proxy!.gc.maxMs)),
    gcPauses: median(withProxy.map((p) => p.proxy!.gc.pauses)),
    gcTotalMs: median(withProxy.map((p) => p.proxy!.gc.totalMs)),
    held: Math.min(...result.phases.map((p) => p.held)),
  };
}

export interface Check {
  name: string;
  value: string;
  target: string;
  /** null: the run cannot tell (the machine was busier than its cores during a phase). */
  pass: boolean | null;
}

/** A phase during which more was runnable than the machine has cores: its RTT tail is the machine's. */
export const crowded = (p: PhaseResult, cores = cpus().length) => (p.loadavg[0] ?? 0) > cores;

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const signedMs = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : 'n/a');
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(2)} KB` : 'n/a');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function checkTargets(s: Summary, rttConclusive = true): Check[] {
  return [
    { name: 'RTT added at p99', value: `${signedMs(s.addedP99Ms)} ms`, target: `≤ ${targets.addedP99Ms} ms`, pass: rttConclusive ? s.addedP99Ms <= targets.addedP99Ms : null },
    { name: 'proxy CPU', value: `${s.proxyCpuPct.toFixed(2)} %`, target: `≤ ${targets.proxyCpuPctOfOneCore} % of one core`, pass: s.proxyCpuPct <= targets.proxyCpuPctOfOneCore },
    { name: 'proxy RSS per terminal', value: kb(s.rssPerTerminalBytes), target: `≤ ${kb(targets.proxyRssPerTerminalBytes)}`, pass: s.rssPerTerminalBytes <= targets.proxyRssPerTerminalBytes },
  ];
}

function phaseLine(p: PhaseResult, i: number): string {
  const route = (p.route === 'direct' ? 'direct' : 'through proxy').padEnd(13);
  const proxy = p.proxy
    ? `  proxy CPU ${p.proxy.cpu.medianPct.toFixed(2)} % (windows ${p.proxy.cpu.windows.map((w) => `${w.pct.toFixed(2)}${w.full ? '' : '*'}`).join(' · ')})  RSS/terminal ${kb(p.proxy.rss.perTerminalBytes)} (${mib(p.proxy.rss.beforeBytes)} → ${mib(p.proxy.rss.afterBytes)} MiB)` +
      `  GC ${p.proxy.gc.pauses} pauses, ${ms(p.proxy.gc.totalMs)} ms, longest ${ms(p.proxy.gc.maxMs)} ms`
    : '';
  return `  ${i + 1}.${crowded(p) ? '!' : ' '}${route}  held ${int(p.held)}  RTT p50 ${ms(num(p.rtt.p50))} p99 ${ms(num(p.rtt.p99))} max ${ms(num(p.rtt.max))} ms (${int(p.rtt.count)} pongs)  gateway CPU ${p.gatewayCpuPct.toFixed(2)} %  terminals CPU ${p.terminals.cpuPct.toFixed(1)} %${proxy}  load ${p.loadavg[0]}` +
    (p.terminals.closesInSteadyState || p.terminals.connectFails ? `  (${p.terminals.closesInSteadyState} closed in steady state, ${p.terminals.connectFails} failed attempts)` : '');
}

export function formatReport(result: ProxyBenchResult, notes: string[]): string {
  const o = result.options;
  const s = summarise(result);
  const busy = result.phases.some((p) => crowded(p));
  const perRoute = result.phases.length / 2;
  const lines = [
    `pulse bench proxy — ${int(o.terminals)} terminals (${o.perRestaurant} per restaurant) on ${o.heartbeatIntervalMs / 1000} s heartbeats, ` +
      `${o.durationS} s steady state per phase after a ${int(o.rampPerSec)}/s ramp; ${result.phases.length} phases; node ${process.version}, ${cpus().length} cores; ` +
      `proxy with ${o.proxyNodeFlags.length > 0 ? o.proxyNodeFlags.join(' ') : "V8's default flags"}`,
    ...notes.map((n) => `note: ${n}`),
    '',
    'phases (in order)',
    ...result.phases.map(phaseLine),
    ...(busy ? [`  ! load average above the ${cpus().length} cores at the end of the phase: other work competed for them, and the RTT tail (p99) measured the machine more than the proxy; run again when it is quiet`] : []),
    '',
    `heartbeat RTT, ping → pong as the terminals measured it${perRoute > 1 ? ` (medians of ${perRoute} phases per route)` : ''}`,
    `  direct to the gateway     p50 ${ms(s.direct.p50)} ms   p99 ${ms(s.direct.p99)} ms`,
    `  through the proxy         p50 ${ms(s.proxy.p50)} ms   p99 ${ms(s.proxy.p99)} ms`,
    `  added by the proxy        p50 ${signedMs(s.proxy.p50 - s.direct.p50)} ms   p99 ${signedMs(s.addedP99Ms)} ms` + (s.addedP99PerPairMs.length > 1 ? `   (p99 per pair as run: ${s.addedP99PerPairMs.map(signedMs).join(' · ')} ms)` : ''),
    'proxy process (transport only, no observer)',
    `  CPU                       ${s.proxyCpuPct.toFixed(2)} % of one core (median of heartbeat-interval windows; mean ${s.proxyCpuMeanPct.toFixed(2)} % = user ${s.proxyCpuUserPct.toFixed(2)} + kernel ${s.proxyCpuSystemPct.toFixed(2)})`,
    `  GC pauses (main thread)   per phase ${int(s.gcPauses)} pauses, ${ms(s.gcTotalMs)} ms in all = ${((s.gcTotalMs / (o.durationS * 1000)) * 100).toFixed(3)} % of the steady state (medians); longest ${ms(s.gcMaxPauseMs)} ms`,
    '                            (frames arriving during a pause wait for it: under 1 % of the time, pauses cannot move the p99)',
    `  RSS per terminal          ${kb(s.rssPerTerminalBytes)} raw; ${kb(s.rssPerTerminalWithoutYoungBytes)} without V8's young generation`,
    `                            of it V8 heap used by live objects ${kb(s.heapUsedPerTerminalBytes)}, V8 heap reserved ${kb(s.heapTotalPerTerminalBytes)}, outside V8 (sockets, malloc) ${kb(s.outsideHeapPerTerminalBytes)}`,
    '',
    'targets',
    ...checkTargets(s, !busy).map((c) => `  ${c.pass === null ? '?' : c.pass ? '✓' : '✗'} ${c.name.padEnd(24)} ${c.value.padEnd(12)} target ${c.target}${c.pass === null ? ' (inconclusive: a crowded phase, see !)' : ''}`),
    '',
    'how it was measured',
    '  · three processes: the reference gateway (probe off), the proxy in front of it, the terminals (the real',
    '    resilient socket over ws, bound to 127.0.x.y, each with its own JWT, pinging once per heartbeat)',
    '  · the same fleet connects in alternating phases, straight to the gateway and through the proxy, a fresh',
    '    terminals process per phase; --repeat K runs K pairs (direct, proxy; proxy, direct; …)',
    '  · RTT: ping sent → pong received at the terminal, steady state only (the ramp and one heartbeat interval',
    '    after it excluded); through the proxy it crosses two more loopback legs and the proxy\'s event loop',
    '  · CPU: process.cpuUsage() of the proxy process (every thread) per heartbeat interval, so each window',
    '    holds one ping and one pong of every terminal; * = a shorter tail window, in the mean only',
    '  · RSS per terminal: (RSS holding N after full GCs − idle RSS) / N; the idle reading is the lowest of the',
    '    proxy\'s readings 10–30 s after its start, before any terminal; checked raw (young generation included)',
    '  · on a shared 2-core machine all three processes and the orchestrator compete for the cores: the RTT',
    '    difference includes that scheduling, and moves between runs; --repeat 3 gives steadier medians',
  ];
  return lines.join('\n');
}

export function toJson(result: ProxyBenchResult, notes: string[]): string {
  const summary = summarise(result);
  return JSON.stringify({ ...result, notes, summary, targets: checkTargets(summary, !result.phases.some((p) => crowded(p))) }, null, 2);
}
