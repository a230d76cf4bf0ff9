/**
 * The proxy bench's proxy process: `startProxy` alone in front of the gateway child, so that its CPU
 * and RSS are its own. Transport only (no observer): what the hop itself costs.
 *
 * Started by proxy-bench-run.ts through the gateway bench's ChildHandle, whose messages are the
 * gateway bench's; this child's one setting, the upstream, travels in its environment
 * (PULSE_BENCH_UPSTREAM). It answers `ready` with its URL and `sample` with its figures, its
 * connections being the pairs it holds.
 */
import { startProxy } from '../../proxy/proxy-server.ts';
import type { Proxy } from '../../proxy/proxy-server.ts';
import { collectGarbage, ownFigures, toParent } from '../bench-ipc.ts';
import type { ToChild } from '../bench-ipc.ts';

export const upstreamEnv = 'PULSE_BENCH_UPSTREAM';

let proxy: Proxy | null = null;

async function start(): Promise<void> {
  const upstream = process.env[upstreamEnv];
  if (!upstream) throw new Error(`${upstreamEnv} is not set`);
  proxy = await startProxy({ upstream, host: '127.0.0.1', port: 0, proxyId: `px-bench-${process.pid}` });
  toParent({ type: 'ready', url: proxy.url });
}

process.on('message', (message: ToChild) => {
  switch (message.type) {
    case 'sample':
      if (message.gc) collectGarbage();
      toParent({ type: 'sample', id: message.id, ...ownFigures(), connections: proxy?.connectionCount() ?? 0 });
      return;
    case 'exit':
      process.exit(0);
      return;
    default:
      return;
  }
});
process.on('disconnect', () => process.exit(0));
void start();
