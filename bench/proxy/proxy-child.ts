/**
 * The proxy bench's proxy process: `startProxy` alone in front of the gateway child, so that its CPU
 * and RSS are its own. Transport only (no observer): what the hop itself costs.
 *
 * Started by proxy-bench-run.ts through the gateway bench's ChildHandle, whose messages are the
 * gateway bench's; this child's one setting, the upstream, travels in its environment
 * (PULSE_BENCH_UPSTREAM). It answers `ready` with its URL and `sample` with its figures, its
 * connections being the pairs it holds.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { startProxy } from '../../src/server/proxy/proxy-server.ts';
import type { Proxy } from '../../src/server/proxy/proxy-server.ts';
import { collectGarbage, toParent } from '../shared/bench-ipc.ts';
import { serveParent } from '../shared/serve-parent.ts';

export const upstreamEnv = 'PULSE_BENCH_UPSTREAM';

let proxy: Proxy | null = null;

/**
 * GC pauses of the main thread since the last sample: while V8 pauses, no frame is relayed, so the
 * longest pause bounds what the proxy's own garbage adds to the RTT tail, however crowded the
 * machine (the terminals' p99 also holds the scheduler's delays, see the report). The full GCs the
 * orchestrator forces for its RSS readings are not the proxy's and are left out.
 */
let gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
const forced: Array<[number, number]> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (forced.some(([from, to]) => e.startTime >= from && e.startTime <= to)) continue;
    gcPauses.count++;
    gcPauses.totalMs += e.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

async function start(): Promise<void> {
  const upstream = process.env[upstreamEnv];
  if (!upstream) throw new Error(`${upstreamEnv} is not set`);
  proxy = await startProxy({ upstream, host: '127.0.0.1', port: 0, proxyId: `px-bench-${process.pid}` });
  toParent({ type: 'ready', url: proxy.url });
}

serveParent({
  collect: () => {
    const from = performance.now();
    collectGarbage();
    forced.push([from, performance.now()]);
    if (forced.length > 64) forced.shift();
  },
  figures: () => {
    const figures = { connections: proxy?.connectionCount() ?? 0, gcPauses: { ...gcPauses, totalMs: Math.round(gcPauses.totalMs * 1000) / 1000, maxMs: Math.round(gcPauses.maxMs * 1000) / 1000 } };
    gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
    return figures;
  },
});
void start();
