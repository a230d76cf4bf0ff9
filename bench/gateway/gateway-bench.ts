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
 * more pairs, alternating their order (see shared/run-order.ts), folded by run-summary.ts.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gatewayV8Flags } from '../../src/server/cli/v8-flags.js';
import { ChildHandle } from '../shared/child-handle.ts';
import { runOrder } from '../shared/run-order.ts';
import type { GatewayReady, ProbeMode } from '../shared/bench-ipc.ts';
import { baselineSettleMs, cpuFigures, cpuUs, idleBaseline, rampIn, round, settleAfterRamp, settledMemory, steadyState, type CpuFigures } from '../shared/run-phases.ts';

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

export interface RunResult {
  probe: ProbeMode;
  asked: number;
  /** Authenticated connections at the gateway at the end of the steady state. */
  held: number;
  /** Lowest count seen at any sample of the steady state. */
  heldMin: number;
  rampSeconds: number;
  cpu: CpuFigures;
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
  const terminals = new ChildHandle('terminals', new URL('../shared/terminals-child.ts', import.meta.url));
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

    const rampSeconds = await rampIn(terminals, o, async () => {
      const [g, t] = await Promise.all([gateway.sample(), terminals.sample()]);
      const done = g.connections >= o.terminals && t.connections >= o.terminals;
      return { done, line: `gateway holds ${g.connections}/${o.terminals}, terminals open ${t.connections}, failed attempts ${t.connectFails ?? 0}` };
    }, log);
    const tStart = await settleAfterRamp([gateway], terminals, o.heartbeatIntervalMs, log);

    let heldMin = Infinity;
    const steady = await steadyState(gateway, o, (s, pct, seconds, elapsedS) => {
      heldMin = Math.min(heldMin, s.connections);
      log(`steady ${Math.round(elapsedS)}/${o.durationS} s: gateway holds ${s.connections}, CPU ${pct.toFixed(2)} % of one core over the last ${seconds} s, RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB (V8 heap ${(s.heapTotal / 2 ** 20).toFixed(1)} of which young ${(s.youngGen / 2 ** 20).toFixed(1)}, used ${(s.heapUsed / 2 ** 20).toFixed(1)})`);
    });
    const { first, last, wallMs } = steady;
    heldMin = Math.min(heldMin, first.connections);
    const tEnd = await terminals.sample();
    const after = await settledMemory(gateway);

    const held = last.connections;
    const perConn = (a: number, b: number) => (held > 0 ? (a - b) / held : NaN);
    const probeEvents = last.probeEvents !== undefined && first.probeEvents !== undefined ? (last.probeEvents - first.probeEvents) / (wallMs / 1000) : null;
    const result: RunResult = {
      probe,
      asked: o.terminals,
      held,
      heldMin,
      rampSeconds: round(rampSeconds, 1),
      cpu: cpuFigures(steady),
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
        cpuPct: round(((cpuUs(tEnd) - cpuUs(tStart)) / (wallMs * 1000)) * 100, 2),
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
