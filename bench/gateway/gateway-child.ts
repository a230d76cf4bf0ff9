/**
 * The gateway bench's gateway process: the reference gateway alone, so that its CPU and RSS are
 * its own. Started by gateway-bench.ts with `forkTs`; configured and sampled over IPC.
 *
 * Probe ON is the realistic sink: every probe event folded into the probe aggregator, flushed once
 * per second on whole seconds as the bus probe does, and the frame counted (a bus publish is not
 * part of the gateway's cost here). Probe OFF is `probe: null`: no event object is ever built.
 */
import { createAggregator } from '../../src/core/probe-aggregator.ts';
import type { ProbeSink } from '../../src/protocol/probe-events.ts';
import { startGateway } from '../../src/server/gateway/gateway.ts';
import type { Gateway } from '../../src/server/gateway/gateway.ts';
import { toParent } from '../shared/bench-ipc.ts';
import type { GatewayChildConfig } from '../shared/bench-ipc.ts';
import { serveParent } from '../shared/serve-parent.ts';

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

serveParent({
  onMessage: (message) => {
    if (message.type === 'config' && 'probe' in message) void start(message);
  },
  figures: () => {
    const probe = probeStats?.();
    return { connections: gateway?.connectionCount() ?? 0, ...(probe ? { probeEvents: probe.events, probeFrames: probe.frames } : {}) };
  },
});
