/**
 * The gateway bench's gateway process: the reference gateway alone, so that its CPU and RSS are
 * its own. Started by gateway-bench.ts with `forkTs`; configured and sampled over IPC.
 *
 * Probe ON is the realistic sink: every probe event folded into the probe aggregator, flushed once
 * per second on whole seconds as the bus probe does, and the frame counted (a bus publish is not
 * part of the gateway's cost here). Probe OFF is `probe: null`: no event object is ever built.
 */
import { createAggregator } from '../../core/probe-aggregator.ts';
import type { ProbeSink } from '../../protocol/probe-events.ts';
import { startGateway } from '../gateway/gateway.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { collectGarbage, ownFigures, toParent } from './bench-ipc.ts';
import type { GatewayChildConfig, ToChild } from './bench-ipc.ts';

let gateway: Gateway | null = null;
let probeStats: (() => { events: number; frames: number }) | null = null;

function aggregatingProbe(gatewayId: string): ProbeSink {
  const aggregator = createAggregator({ gatewayId, run: Date.now() });
  let frames = 0;
  const flushOnTheSecond = (): void => {
    aggregator.flush(Date.now());
    frames++;
    setTimeout(flushOnTheSecond, 1000 - (Date.now() % 1000)).unref();
  };
  setTimeout(flushOnTheSecond, 1000 - (Date.now() % 1000)).unref();
  probeStats = () => ({ events: aggregator.stats().events, frames });
  return { emit: (event) => aggregator.add(event) };
}

async function start(config: GatewayChildConfig): Promise<void> {
  // The id is fixed before listening so the aggregator can be built first and handed to the gateway.
  const gatewayId = `gw-bench-${process.pid}`;
  gateway = await startGateway({
    secret: config.secret,
    host: '127.0.0.1',
    port: 0,
    gatewayId,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    probe: config.probe === 'on' ? aggregatingProbe(gatewayId) : null,
  });
  toParent({ type: 'ready', url: gateway.url });
}

process.on('message', (message: ToChild) => {
  switch (message.type) {
    case 'config':
      if ('probe' in message) void start(message);
      return;
    case 'sample': {
      if (message.gc) collectGarbage();
      const probe = probeStats?.();
      toParent({
        type: 'sample',
        id: message.id,
        ...ownFigures(),
        connections: gateway?.connectionCount() ?? 0,
        ...(probe ? { probeEvents: probe.events, probeFrames: probe.frames } : {}),
      });
      return;
    }
    case 'exit':
      // process.exit lets --cpu-prof write its profile; closing 19,000 sockets politely is not measured.
      process.exit(0);
      return;
    default:
      return;
  }
});
process.on('disconnect', () => process.exit(0));
