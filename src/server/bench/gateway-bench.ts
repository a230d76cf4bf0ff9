/**
 * `pulse bench gateway`: how much a gateway process pays to hold N terminals on 15 s heartbeats.
 *
 * One run = a fresh gateway child (probe on or off) + a fresh terminals child:
 *   1. the gateway starts; after a full GC its RSS is the "before" reading;
 *   2. the terminals ramp in at `rampPerSec` until the gateway holds them all (or a bound passes);
 *   3. a full GC and one heartbeat interval of settling, so the ramp's garbage is not billed to step 4;
 *   4. steady state for `durationS`, CPU read once per heartbeat interval: each window then holds
 *      exactly one ping of every terminal (all opened before it began), so windows are comparable
 *      and their median is the figure; a shorter tail window counts in the mean only;
 *   5. after a full GC the RSS is the "with N" reading; RTTs are what the terminals measured
 *      ping → pong during step 4.
 * Both children are then stopped. With `probe: 'both'` the runs are on, then off; `repeat` runs
 * more pairs, alternating their order (see run-summary.ts).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gatewayV8Flags } from '../cli/v8-flags.js';
import { ChildHandle } from './child-handle.ts';
import { median, runOrder } from './run-summary.ts';
import type { GatewayReady, ProbeMode, ProcessSample } from './bench-ipc.ts';

export interface GatewayBenchOptions {
  terminals: number;
  durationS: number;
  rampPerSec: number;
  probe: ProbeMode | 'both';
  /** Runs of each mode; default 1. */
  repeat?: number;
  perRestaurant: number;
  sourceAddresses: number;
  heartbeatIntervalMs: number;
  /** Write a V8 CPU profile of each gateway child here (node --cpu-prof). */
  cpuProfileDir?: string;
  progress: (line: string) => void;
}

export interface CpuWindow {
  seconds: number;
  pct: number;
  full: boolean;
}

export interface RunResult {
  probe: ProbeMode;
  asked: number;
  /** Authenticated connections at the gateway at the end of the steady state. */
  held: number;
  /** Lowest count seen at any sample of the steady state. */
  heldMin: number;
  rampSeconds: number;
  /** `userPct` + `systemPct` (kernel time: reads, writes, epoll) make `meanPct`. */
  cpu: { windows: CpuWindow[]; medianPct: number; meanPct: number; userPct: number; systemPct: number };
  /**
   * `perConnectionBytes` leaves V8's young generation out of both readings: it grows with the
   * allocation rate (up to two semi-spaces, 16 MiB each by default in Node 20; the gateway caps
   * them, see cli/v8-flags.js) and is handed back when allocation slows, so its size at a reading
   * depends on timing, not on connections — it swung a 2,000-terminal figure between +10 KB and
   * −20 KB per connection. `rawPerConnectionBytes` is plain ΔRSS / held.
   */
  rss: { beforeBytes: number; afterBytes: number; perConnectionBytes: number; rawPerConnectionBytes: number };
  /** Where the RSS went, per connection: V8 heap used, V8 heap reserved, Buffers and other external memory. */
  heap: {
    perConnectionBytes: number;
    totalPerConnectionBytes: number;
    externalPerConnectionBytes: number;
    youngGenGrowthBytes: number;
    /** Old-space pages resident but free after the GC (fragmentation), per connection. */
    oldSpaceFreePerConnectionBytes: number;
  };
  rtt: { count: number; p50: number | null; p99: number | null; max: number | null };
  terminals: { cpuPct: number; connectFails: number; closesInSteadyState: number };
  probeEventsPerSec: number | null;
  loadavg: { start: number[]; end: number[] };
}

export interface GatewayBenchResult {
  options: Omit<GatewayBenchOptions, 'progress' | 'cpuProfileDir'>;
  runs: RunResult[];
}

/**
 * An idle gateway's RSS keeps falling in steps for 15–25 s after start (109 → 92 MiB measured; a
 * plain-JS build of it 77 → 70): the memory reducers of V8's main isolate and of tsx's loader
 * thread run seconds after start-up allocation stops, later on a loaded machine. The baseline is
 * the lowest of the idle readings taken every 5 s from 10 s to 30 s after start.
 */
export const baselineSettleMs = 30_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const cpuUs = (s: ProcessSample) => s.userUs + s.systemUs;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Steady-state windows: whole heartbeat intervals, then the remainder (if ≥ 1 s) as a partial one. */
export function planWindows(durationS: number, heartbeatIntervalMs: number): number[] {
  const windowS = heartbeatIntervalMs / 1000;
  const full = Math.floor(durationS / windowS);
  const rest = durationS - full * windowS;
  const windows = Array.from({ length: full }, () => windowS);
  if (rest >= 1 || full === 0) windows.push(rest);
  return windows;
}

export async function idleBaseline(gateway: Pick<ChildHandle, 'sample'>, readyAt: number): Promise<ProcessSample> {
  let lowest: ProcessSample | null = null;
  for (let at = 10_000; at <= baselineSettleMs; at += 5000) {
    await sleep(at - (Date.now() - readyAt));
    const s = await settledMemory(gateway);
    if (lowest === null || s.rss - s.youngGen < lowest.rss - lowest.youngGen) lowest = s;
  }
  return lowest!;
}

/** A full GC, a second for V8's background threads to hand freed pages back, and another GC. */
export async function settledMemory(child: Pick<ChildHandle, 'sample'>): Promise<ProcessSample> {
  await child.sample(true);
  await sleep(1000);
  return child.sample(true);
}

export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  // A fresh secret per bench: nothing is read from or written to ./data.
  const secret = randomBytes(32).toString('base64url');
  const order = runOrder(options.probe, options.repeat ?? 1);
  const runs: RunResult[] = [];
  for (const [i, mode] of order.entries()) {
    if (order.length > 2 || options.probe !== 'both') options.progress(`bench: run ${i + 1} of ${order.length} (probe ${mode})`);
    runs.push(await runOnce(options, mode, secret));
  }
  const { progress: _progress, cpuProfileDir: _dir, ...rest } = options;
  return { options: rest, runs };
}

async function runOnce(o: GatewayBenchOptions, probe: ProbeMode, secret: string): Promise<RunResult> {
  const log = (line: string) => o.progress(`bench [probe ${probe}] ${line}`);
  // No --cpu-prof-name: tsx's loader thread writes a profile too, and with one name it overwrote the
  // main thread's. Node's default names carry the thread id; the main thread's is the larger file.
  const profileArgv = o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfileDir, `gateway-probe-${probe}`)}`] : [];
  // The gateway's own V8 flags, as `pulse gateway` and `pulse start` run it: measured as deployed.
  const gateway = new ChildHandle('gateway', new URL('./gateway-child.ts', import.meta.url), [...gatewayV8Flags, ...profileArgv]);
  const terminals = new ChildHandle('terminals', new URL('./terminals-child.ts', import.meta.url));
  const loadStart = loadavg();
  try {
    gateway.send({ type: 'config', secret, probe, heartbeatIntervalMs: o.heartbeatIntervalMs });
    const { url } = (await gateway.ready()) as GatewayReady;
    const readyAt = Date.now();
    terminals.send({ type: 'config', url, secret, terminals: o.terminals, perRestaurant: o.perRestaurant, rampPerSec: o.rampPerSec, heartbeatIntervalMs: o.heartbeatIntervalMs, sourceAddresses: o.sourceAddresses });
    await terminals.ready();
    log(`gateway pid ${gateway.pid} on ${url}, terminals pid ${terminals.pid}`);
    log(`letting the idle gateway settle ${baselineSettleMs / 1000} s before its baseline RSS`);
    const before = await idleBaseline(gateway, readyAt);

    // ---- ramp ----
    const rampStart = Date.now();
    // Generous: on a loaded machine the in-flight cap of the terminals slows the ramp down.
    const rampBudgetMs = Math.max(60_000, 3 * (o.terminals / o.rampPerSec) * 1000 + 30_000);
    terminals.send({ type: 'start' });
    let lastLine = rampStart;
    for (;;) {
      await sleep(250);
      const [g, t] = await Promise.all([gateway.sample(), terminals.sample()]);
      const done = g.connections >= o.terminals && t.connections >= o.terminals;
      const late = Date.now() - rampStart > rampBudgetMs;
      if (done || late || Date.now() - lastLine >= 2000) {
        lastLine = Date.now();
        log(`ramp ${((Date.now() - rampStart) / 1000).toFixed(1)} s: gateway holds ${g.connections}/${o.terminals}, terminals open ${t.connections}, failed attempts ${t.connectFails ?? 0}`);
      }
      if (done) break;
      if (late) {
        log(`ramp did not complete within ${Math.round(rampBudgetMs / 1000)} s; measuring what is held`);
        break;
      }
    }
    const rampSeconds = (Date.now() - rampStart) / 1000;

    // ---- settle: the ramp's garbage collected now, not during the measurement ----
    await gateway.sample(true);
    // One heartbeat interval: the first two windows after the ramp measured ~25 % above the rest
    // (10,000 terminals: 4.0, 4.1, then 2.8–3.6 %), the ramp's garbage and JIT still settling.
    log(`ramp done; settling one heartbeat interval (${o.heartbeatIntervalMs / 1000} s) before measuring`);
    await sleep(o.heartbeatIntervalMs);
    terminals.send({ type: 'reset-rtt' });
    const tStart = await terminals.sample();

    // ---- steady state ----
    const windows: CpuWindow[] = [];
    let prev = await gateway.sample();
    let prevAt = performance.now();
    const first = prev;
    const firstAt = prevAt;
    let heldMin = prev.connections;
    let elapsedS = 0;
    for (const seconds of planWindows(o.durationS, o.heartbeatIntervalMs)) {
      await sleep(seconds * 1000 - (performance.now() - prevAt));
      const s = await gateway.sample();
      const at = performance.now();
      const pct = ((cpuUs(s) - cpuUs(prev)) / ((at - prevAt) * 1000)) * 100;
      windows.push({ seconds: round((at - prevAt) / 1000), pct: round(pct, 3), full: seconds * 1000 === o.heartbeatIntervalMs });
      heldMin = Math.min(heldMin, s.connections);
      elapsedS += seconds;
      log(`steady ${Math.round(elapsedS)}/${o.durationS} s: gateway holds ${s.connections}, CPU ${pct.toFixed(2)} % of one core over the last ${seconds} s, RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB (V8 heap ${(s.heapTotal / 2 ** 20).toFixed(1)} of which young ${(s.youngGen / 2 ** 20).toFixed(1)}, used ${(s.heapUsed / 2 ** 20).toFixed(1)})`);
      prev = s;
      prevAt = at;
    }
    const last = prev;
    const steadyUs = (prevAt - firstAt) * 1000;
    const meanPct = ((cpuUs(last) - cpuUs(first)) / steadyUs) * 100;
    const tEnd = await terminals.sample();
    const after = await settledMemory(gateway);

    const fullWindows = windows.filter((w) => w.full);
    const held = last.connections;
    const perConn = (a: number, b: number) => (held > 0 ? (a - b) / held : NaN);
    const probeEvents = last.probeEvents !== undefined && first.probeEvents !== undefined ? (last.probeEvents - first.probeEvents) / ((prevAt - firstAt) / 1000) : null;
    const result: RunResult = {
      probe,
      asked: o.terminals,
      held,
      heldMin,
      rampSeconds: round(rampSeconds, 1),
      cpu: {
        windows,
        medianPct: round(median((fullWindows.length > 0 ? fullWindows : windows).map((w) => w.pct)), 3),
        meanPct: round(meanPct, 3),
        userPct: round(((last.userUs - first.userUs) / steadyUs) * 100, 3),
        systemPct: round(((last.systemUs - first.systemUs) / steadyUs) * 100, 3),
      },
      rss: {
        beforeBytes: before.rss,
        afterBytes: after.rss,
        perConnectionBytes: Math.round(perConn(after.rss - after.youngGen, before.rss - before.youngGen)),
        rawPerConnectionBytes: Math.round(perConn(after.rss, before.rss)),
      },
      heap: {
        perConnectionBytes: Math.round(perConn(after.heapUsed, before.heapUsed)),
        totalPerConnectionBytes: Math.round(perConn(after.heapTotal, before.heapTotal)),
        externalPerConnectionBytes: Math.round(perConn(after.external, before.external)),
        youngGenGrowthBytes: after.youngGen - before.youngGen,
        oldSpaceFreePerConnectionBytes: Math.round(perConn(after.oldSpace - after.oldSpaceUsed, before.oldSpace - before.oldSpaceUsed)),
      },
      rtt: tEnd.rtt ?? { count: 0, p50: null, p99: null, max: null },
      terminals: {
        cpuPct: round(((cpuUs(tEnd) - cpuUs(tStart)) / ((prevAt - firstAt) * 1000)) * 100, 2),
        connectFails: tEnd.connectFails ?? 0,
        closesInSteadyState: (tEnd.closes ?? 0) - (tStart.closes ?? 0),
      },
      probeEventsPerSec: probeEvents === null ? null : Math.round(probeEvents),
      loadavg: { start: loadStart.map((l) => round(l)), end: loadavg().map((l) => round(l)) },
    };
    log(`done: CPU median ${result.cpu.medianPct} %, RSS/conn ${result.rss.perConnectionBytes} B, RTT p50 ${result.rtt.p50} ms p99 ${result.rtt.p99} ms`);
    return result;
  } finally {
    await Promise.all([terminals.stop(), gateway.stop()]);
  }
}
