/**
 * `npm run bench:proxy`: what the transparent proxy adds to a fleet on 15 s heartbeats — round trip
 * at p99, CPU and RSS of the proxy process — in one run, against one reference gateway.
 *
 * Three kinds of process, as in the gateway bench (and with its children): the reference gateway
 * (probe off) alone in one, the proxy alone in another, in front of it; the terminals in a third.
 * The same fleet (same count, ids, tokens and 127.0.x.y source addresses) connects in alternating
 * phases, straight to the gateway or through the proxy (direct, proxy; then proxy, direct; … for
 * `repeat`), a fresh terminals process per phase. Each phase:
 *   1. ramp until the gateway (and, through the proxy, the proxy) holds every terminal;
 *   2. settle one heartbeat interval, the ramp's garbage collected first;
 *   3. steady state for `durationS`, read once per heartbeat interval (one ping of every terminal in
 *      each window): the proxy's CPU per window, the terminals' ping → pong RTTs;
 *   4. through the proxy: after full GCs, the proxy's RSS with N; then the terminals leave and the
 *      phase ends once the gateway and the proxy hold nothing.
 * The proxy's "before" RSS is the lowest of its idle readings 10–30 s after start, taken while the
 * first (direct) phase runs.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { gatewayV8Flags } from '../../src/server/cli/v8-flags.js';
import { ChildHandle } from '../shared/child-handle.ts';
import type { GatewayReady, ProcessSample } from '../shared/bench-ipc.ts';
import { cpuFigures, cpuUs, idleBaseline, rampIn, round, settleAfterRamp, settledMemory, sleep, steadyState, type CpuFigures } from '../shared/run-phases.ts';
import { upstreamEnv } from './proxy-bench-config.ts';

export type Route = 'direct' | 'proxy';

export interface ProxyBenchOptions {
  terminals: number;
  durationS: number;
  rampPerSec: number;
  repeat: number;
  perRestaurant: number;
  sourceAddresses: number;
  heartbeatIntervalMs: number;
  /** Node/V8 options of the proxy child (the gateway child always runs with the gateway's). */
  proxyNodeFlags: readonly string[];
  progress: (line: string) => void;
}

export interface Rtt {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface PhaseResult {
  route: Route;
  /** Connections the gateway held at the end of the steady state (via the proxy: its pairs). */
  held: number;
  rampSeconds: number;
  rtt: Rtt;
  /** Proxy process, steady state; through the proxy only. */
  proxy: null | {
    cpu: CpuFigures;
    rss: { beforeBytes: number; afterBytes: number; perTerminalBytes: number; perTerminalWithoutYoungBytes: number };
    /** Where it went, per terminal: V8 heap used by live objects, V8 heap reserved, memory outside V8 (native, malloc). */
    heap: { usedPerTerminalBytes: number; totalPerTerminalBytes: number; outsidePerTerminalBytes: number };
    /** GC pauses of the proxy's main thread in the steady state: no frame moves during one. */
    gc: { pauses: number; totalMs: number; maxMs: number };
  };
  gatewayCpuPct: number;
  terminals: { cpuPct: number; connectFails: number; closesInSteadyState: number };
  loadavg: number[];
}

export interface ProxyBenchResult {
  options: Omit<ProxyBenchOptions, 'progress'>;
  phases: PhaseResult[];
}

const pct = (a: ProcessSample, b: ProcessSample, wallMs: number) => ((cpuUs(b) - cpuUs(a)) / (wallMs * 1000)) * 100;

/** direct, proxy; proxy, direct; …: neither route always runs first (machine drift cancels in the medians). */
export function phaseOrder(repeat: number): Route[] {
  const order: Route[] = [];
  for (let i = 0; i < repeat; i++) order.push(...(i % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const)));
  return order;
}

/** Starts the proxy child in front of `upstream`; its only setting goes through the environment. */
function startProxyChild(upstream: string, nodeFlags: readonly string[]): ChildHandle {
  const previous = process.env[upstreamEnv];
  process.env[upstreamEnv] = upstream;
  try {
    return new ChildHandle('proxy', new URL('./proxy-child.ts', import.meta.url), [...nodeFlags]);
  } finally {
    if (previous === undefined) delete process.env[upstreamEnv];
    else process.env[upstreamEnv] = previous;
  }
}

export async function runProxyBench(o: ProxyBenchOptions): Promise<ProxyBenchResult> {
  const secret = randomBytes(32).toString('base64url');
  // The gateway as deployed (pulse gateway's V8 flags), as the gateway bench runs it.
  const gateway = new ChildHandle('gateway', new URL('../gateway/gateway-child.ts', import.meta.url), [...gatewayV8Flags]);
  let proxy: ChildHandle | null = null;
  try {
    gateway.send({ type: 'config', secret, probe: 'off', heartbeatIntervalMs: o.heartbeatIntervalMs });
    const gatewayUrl = ((await gateway.ready()) as GatewayReady).url;
    proxy = startProxyChild(gatewayUrl, o.proxyNodeFlags);
    const proxyUrl = ((await proxy.ready()) as GatewayReady).url;
    const baseline = idleBaseline(proxy, Date.now());
    o.progress(`bench: gateway pid ${gateway.pid} on ${gatewayUrl}; proxy pid ${proxy.pid} on ${proxyUrl} in front of it`);
    const phases: PhaseResult[] = [];
    const order = phaseOrder(o.repeat);
    for (const [i, route] of order.entries()) {
      o.progress(`bench: phase ${i + 1} of ${order.length}: ${o.terminals.toLocaleString('en-US')} terminals ${route === 'direct' ? 'straight to the gateway' : 'through the proxy'}`);
      if (route === 'proxy') o.progress('bench: waiting for the idle proxy\'s baseline RSS (10–30 s after its start)');
      phases.push(await runPhase(o, route, { gateway, proxy, secret, url: route === 'direct' ? gatewayUrl : `${proxyUrl}/ws`, baseline: route === 'proxy' ? await baseline : null }));
    }
    await baseline;
    const { progress: _progress, ...options } = o;
    return { options, phases };
  } finally {
    await Promise.all([gateway.stop(), proxy?.stop()]);
  }
}

interface PhaseContext {
  gateway: ChildHandle;
  proxy: ChildHandle;
  secret: string;
  url: string;
  baseline: ProcessSample | null;
}

async function runPhase(o: ProxyBenchOptions, route: Route, ctx: PhaseContext): Promise<PhaseResult> {
  const log = (line: string) => o.progress(`bench [${route}] ${line}`);
  const { gateway, proxy } = ctx;
  const viaProxy = route === 'proxy';
  const terminals = new ChildHandle('terminals', new URL('../shared/terminals-child.ts', import.meta.url));
  try {
    terminals.send({ type: 'config', url: ctx.url, secret: ctx.secret, terminals: o.terminals, perRestaurant: o.perRestaurant, rampPerSec: o.rampPerSec, heartbeatIntervalMs: o.heartbeatIntervalMs, sourceAddresses: o.sourceAddresses });
    await terminals.ready();

    const rampSeconds = await rampIn(terminals, o, async () => {
      const [g, t, p] = await Promise.all([gateway.sample(), terminals.sample(), viaProxy ? proxy.sample() : null]);
      const done = g.connections >= o.terminals && t.connections >= o.terminals && (p === null || p.connections >= o.terminals);
      return { done, line: `gateway holds ${g.connections}${p ? `, proxy ${p.connections} pairs` : ''}, terminals open ${t.connections}, failed attempts ${t.connectFails ?? 0}` };
    }, log);
    const tStart = await settleAfterRamp(viaProxy ? [gateway, proxy] : [gateway], terminals, o.heartbeatIntervalMs, log);

    const gStart = await gateway.sample();
    // The first steady sample reset the child's count: from here on, every pause is the steady state's.
    const gc = { pauses: 0, totalMs: 0, maxMs: 0 };
    const steady = await steadyState(proxy, o, (s, p, _seconds, elapsedS) => {
      if (s.gcPauses) {
        gc.pauses += s.gcPauses.count;
        gc.totalMs += s.gcPauses.totalMs;
        gc.maxMs = Math.max(gc.maxMs, s.gcPauses.maxMs);
      }
      log(`steady ${Math.round(elapsedS)}/${o.durationS} s: proxy ${s.connections} pairs, CPU ${p.toFixed(2)} % of one core, RSS ${(s.rss / 2 ** 20).toFixed(1)} MiB`);
    });
    const { last: prev, wallMs } = steady;
    const [tEnd, gEnd] = await Promise.all([terminals.sample(), gateway.sample()]);
    const rtt = tEnd.rtt ?? { count: 0, p50: null, p99: null, max: null };
    const held = viaProxy ? prev.connections : gEnd.connections;

    let proxyFigures: PhaseResult['proxy'] = null;
    if (viaProxy && ctx.baseline) {
      const after = await settledMemory(proxy);
      const before = ctx.baseline;
      const per = (a: number, b: number) => (held > 0 ? Math.round((a - b) / held) : NaN);
      proxyFigures = {
        cpu: cpuFigures(steady),
        rss: { beforeBytes: before.rss, afterBytes: after.rss, perTerminalBytes: per(after.rss, before.rss), perTerminalWithoutYoungBytes: per(after.rss - after.youngGen, before.rss - before.youngGen) },
        heap: {
          usedPerTerminalBytes: per(after.heapUsed, before.heapUsed),
          totalPerTerminalBytes: per(after.heapTotal, before.heapTotal),
          outsidePerTerminalBytes: per(after.rss - after.heapTotal, before.rss - before.heapTotal),
        },
        gc: { pauses: gc.pauses, totalMs: round(gc.totalMs, 2), maxMs: round(gc.maxMs, 2) },
      };
    }
    log(`done: RTT p50 ${rtt.p50} ms p99 ${rtt.p99} ms over ${rtt.count} pongs${proxyFigures ? `; proxy CPU ${proxyFigures.cpu.medianPct} %, RSS/terminal ${proxyFigures.rss.perTerminalBytes} B` : ''}`);
    return {
      route,
      held,
      rampSeconds: round(rampSeconds, 1),
      rtt,
      proxy: proxyFigures,
      gatewayCpuPct: round(pct(gStart, gEnd, wallMs), 2),
      terminals: { cpuPct: round(pct(tStart, tEnd, wallMs), 2), connectFails: tEnd.connectFails ?? 0, closesInSteadyState: (tEnd.closes ?? 0) - (tStart.closes ?? 0) },
      loadavg: loadavg().map((l) => round(l)),
    };
  } finally {
    await terminals.stop();
    await drain(gateway, proxy, log);
  }
}

/** The next phase starts on an empty gateway and an empty proxy (the terminals' exit drops every socket). */
async function drain(gateway: ChildHandle, proxy: ChildHandle, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [g, p] = await Promise.all([gateway.sample(), proxy.sample()]);
    if (g.connections === 0 && p.connections === 0) return;
    if (Date.now() > deadline) {
      log(`still held after 60 s: gateway ${g.connections}, proxy ${p.connections}; going on`);
      return;
    }
    await sleep(250);
  }
}
