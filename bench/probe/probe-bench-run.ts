/**
 * `npm run bench:probe`: what a probe costs the gateway it watches — the plain Node `ws` gateway
 * with and without `attachProbe`, the FastAPI gateway with and without the Python probe.
 *
 * As the gateway bench measures the reference probe (with its terminals child and the phases of
 * shared/run-phases.ts), one run = a fresh gateway process (probe on or off) + a fresh
 * terminals process (the gateway bench's: real resilient sockets, one JWT each, here in `?token=`
 * as both example gateways read it):
 *   1. idle baseline RSS (Node: the lowest of the readings 10–30 s after start, after full GCs);
 *   2. the terminals ramp in; 3. a full GC and one heartbeat interval of settling;
 *   4. steady state for `durationS`, the gateway's CPU per heartbeat interval (one ping of every
 *      terminal in each window), the median window being the run's figure;
 *   5. RSS with N, after full GCs.
 * Probe on reports to a real hub in a process of its own (bench-hub.ts), started once for the
 * bench. Modes alternate per pair (on, off; off, on; …) so machine drift cancels in the medians.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { signGatewayToken } from '../../src/server/auth/tokens.ts';
import { gatewayV8Flags } from '../../src/server/cli/v8-flags.js';
import { ChildHandle } from '../shared/child-handle.ts';
import type { GatewayReady, ProbeMode, ProcessSample } from '../shared/bench-ipc.ts';
import { runOrder } from '../shared/run-order.ts';
import { baselineSettleMs, cpuFigures, cpuUs, idleBaseline, rampIn, round, settleAfterRamp, settledMemory, sleep, steadyState, type CpuFigures } from '../shared/run-phases.ts';
import { startBenchHub } from './bench-hub.ts';
import { benchGatewayId, benchHubEnv, benchTokenEnv, type RunFigures, type Target } from './probe-bench-config.ts';
import { startPythonGateway } from './python-gateway.ts';

export interface ProbeBenchOptions {
  targets: Target[];
  terminals: Record<Target, number>;
  repeat: number;
  durationS: number;
  rampPerSec: number;
  perRestaurant: number;
  sourceAddresses: number;
  heartbeatIntervalMs: number;
  /** Write a V8 CPU profile of each Node gateway child under this directory (node --cpu-prof). */
  cpuProfileDir?: string;
  progress: (line: string) => void;
}

export interface ProbeRunResult extends RunFigures {
  asked: number;
  rampSeconds: number;
  cpu: CpuFigures;
  rss: { beforeBytes: number; afterBytes: number; rawPerConnectionBytes: number };
  /** Node: where it went, per connection — V8 heap used by live objects, and memory outside the V8 heap (Buffers, sockets). */
  heap: { usedPerConnectionBytes: number; outsidePerConnectionBytes: number } | null;
  rtt: { count: number; p50: number | null; p99: number | null; max: number | null };
  /** Node probe on: raw events made per second of steady state, and dropped in the whole run. */
  probeStats: { eventsPerSec: number; dropped: number; batchesAcked: number } | null;
  terminals: { cpuPct: number; connectFails: number; closesInSteadyState: number };
  loadavg: { start: number[]; end: number[] };
}

export interface ProbeBenchResult {
  options: Omit<ProbeBenchOptions, 'progress' | 'cpuProfileDir'>;
  runs: ProbeRunResult[];
}

/** What a run needs of a gateway, either kind: the ChildHandle's sample, a URL, a stop. */
interface GatewayUnderTest {
  url: string;
  pid: number;
  sample(gc?: boolean): Promise<ProcessSample>;
  stop(): Promise<void>;
}

interface BenchContext {
  secret: string;
  hubUrl: string;
}

async function startNodeGateway(probe: ProbeMode, o: ProbeBenchOptions, ctx: BenchContext): Promise<GatewayUnderTest> {
  // No --cpu-prof-name: tsx's loader thread writes a profile too (see gateway/gateway-bench.ts); the main thread's is the larger file.
  const profileArgv = o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfileDir, `node-probe-${probe}`)}`] : [];
  const gatewayId = benchGatewayId.node;
  // Through the environment (see node-gateway-child.ts), set only for the fork.
  const saved = { hub: process.env[benchHubEnv], token: process.env[benchTokenEnv] };
  process.env[benchHubEnv] = ctx.hubUrl;
  process.env[benchTokenEnv] = signGatewayToken(ctx.secret, gatewayId);
  let child: ChildHandle;
  try {
    // The V8 flags `pulse gateway` runs with, as the gateway bench measures the reference gateway.
    child = new ChildHandle('node gateway', new URL('./node-gateway-child.ts', import.meta.url), [...gatewayV8Flags, ...profileArgv]);
  } finally {
    for (const [k, v] of [[benchHubEnv, saved.hub], [benchTokenEnv, saved.token]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  child.send({ type: 'config', secret: ctx.secret, probe, heartbeatIntervalMs: o.heartbeatIntervalMs });
  const { url } = (await child.ready()) as GatewayReady;
  return { url, pid: child.pid, sample: (gc = false) => child.sample(gc), stop: () => child.stop() };
}

async function startGateway(target: Target, probe: ProbeMode, o: ProbeBenchOptions, ctx: BenchContext): Promise<GatewayUnderTest> {
  if (target === 'node') return startNodeGateway(probe, o, ctx);
  const gatewayId = benchGatewayId.python;
  return startPythonGateway({
    secret: ctx.secret,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    ...(probe === 'on' ? { probe: { hub: `${ctx.hubUrl.replace(/^http/, 'ws')}/ingest`, token: signGatewayToken(ctx.secret, gatewayId), gateway: gatewayId } } : {}),
  });
}

export async function runProbeBench(o: ProbeBenchOptions): Promise<ProbeBenchResult> {
  // One secret for the hub, the gateways' terminal tokens and the gateway tokens: a throwaway.
  const secret = randomBytes(32).toString('base64url');
  const hub = await startBenchHub(secret);
  o.progress(`bench: hub on ${hub.url}`);
  const runs: ProbeRunResult[] = [];
  try {
    for (const target of o.targets) {
      const order = runOrder('both', o.repeat);
      for (const [i, mode] of order.entries()) {
        o.progress(`bench: ${target} run ${i + 1} of ${order.length} (probe ${mode}, ${o.terminals[target].toLocaleString('en-US')} terminals)`);
        runs.push(await runOnce(target, mode, o, { secret, hubUrl: hub.url }));
      }
    }
  } finally {
    await hub.stop();
  }
  const { progress: _progress, cpuProfileDir: _dir, ...options } = o;
  return { options, runs };
}

async function runOnce(target: Target, probe: ProbeMode, o: ProbeBenchOptions, ctx: BenchContext): Promise<ProbeRunResult> {
  const log = (line: string) => o.progress(`bench [${target} probe ${probe}] ${line}`);
  const n = o.terminals[target];
  const loadStart = loadavg();
  const gateway = await startGateway(target, probe, o, ctx);
  const readyAt = Date.now();
  const terminals = new ChildHandle('terminals', new URL('../shared/terminals-child.ts', import.meta.url));
  // The Node child counts its sockets; the Python one cannot be asked, the terminals' count stands for it.
  const held = (g: ProcessSample, t: ProcessSample) => (g.connections >= 0 ? Math.min(g.connections, t.connections) : t.connections);
  try {
    terminals.send({ type: 'config', url: gateway.url, secret: ctx.secret, terminals: n, perRestaurant: o.perRestaurant, rampPerSec: o.rampPerSec, heartbeatIntervalMs: o.heartbeatIntervalMs, sourceAddresses: o.sourceAddresses, tokenVia: 'query' });
    await terminals.ready();
    log(`gateway pid ${gateway.pid} on ${gateway.url}, terminals pid ${terminals.pid}`);
    let before: ProcessSample;
    if (target === 'node') {
      log(`letting the idle gateway settle ${baselineSettleMs / 1000} s before its baseline RSS`);
      before = await idleBaseline(gateway, readyAt);
    } else {
      // CPython hands nothing back to the OS late the way V8's reducers do: one reading once imports are done.
      await sleep(3000);
      before = await gateway.sample();
    }

    const rampSeconds = await rampIn(terminals, { terminals: n, rampPerSec: o.rampPerSec }, async () => {
      const [g, t] = await Promise.all([gateway.sample(), terminals.sample()]);
      return { done: held(g, t) >= n, line: `held ${held(g, t)}/${n}, failed attempts ${t.connectFails ?? 0}` };
    }, log);
    const tStart = await settleAfterRamp([gateway], terminals, o.heartbeatIntervalMs, log);

    const steady = await steadyState(gateway, o, (s, pct, _seconds, elapsedS) => {
      log(`steady ${Math.round(elapsedS)}/${o.durationS} s: CPU ${pct.toFixed(2)} % of one core, RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB`);
    });
    const { first, last } = steady;
    const steadyUs = steady.wallMs * 1000;
    const tEnd = await terminals.sample();
    const after = target === 'node' ? await settledMemory(gateway) : await gateway.sample();
    const heldEnd = held(last, tEnd);
    const perConn = (a: number, b: number) => (heldEnd > 0 ? Math.round((a - b) / heldEnd) : NaN);
    const cpu = cpuFigures(steady);
    const result: ProbeRunResult = {
      target,
      probe,
      asked: n,
      held: heldEnd,
      loadavgStart: round(loadStart[0]!),
      cpuPct: cpu.medianPct,
      rampSeconds: round(rampSeconds, 1),
      cpu,
      // Young generation left out, as the gateway bench does (it grows with the allocation rate, not with connections).
      rssPerConnectionBytes: target === 'node' ? perConn(after.rss - after.youngGen, before.rss - before.youngGen) : perConn(after.rss, before.rss),
      rss: { beforeBytes: before.rss, afterBytes: after.rss, rawPerConnectionBytes: perConn(after.rss, before.rss) },
      heap: target === 'node' ? { usedPerConnectionBytes: perConn(after.heapUsed, before.heapUsed), outsidePerConnectionBytes: perConn(after.rss - after.heapTotal, before.rss - before.heapTotal) } : null,
      rtt: tEnd.rtt ?? { count: 0, p50: null, p99: null, max: null },
      probeStats: last.probeEvents !== undefined && first.probeEvents !== undefined ? { eventsPerSec: Math.round((last.probeEvents - first.probeEvents) / (steadyUs / 1e6)), dropped: last.probeDropped ?? 0, batchesAcked: last.probeFrames ?? 0 } : null,
      terminals: {
        cpuPct: round(((cpuUs(tEnd) - cpuUs(tStart)) / steadyUs) * 100, 2),
        connectFails: tEnd.connectFails ?? 0,
        closesInSteadyState: (tEnd.closes ?? 0) - (tStart.closes ?? 0),
      },
      loadavg: { start: loadStart.map((l) => round(l)), end: loadavg().map((l) => round(l)) },
    };
    log(`done: CPU median ${result.cpu.medianPct} % of one core, RSS/conn ${result.rssPerConnectionBytes} B, RTT p50 ${result.rtt.p50} ms p99 ${result.rtt.p99} ms`);
    return result;
  } finally {
    await Promise.all([terminals.stop(), gateway.stop()]);
  }
}
