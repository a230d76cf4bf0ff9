/**
 * The probe bench's Node gateway process: the plain `ws` gateway of examples/node-ws-gateway
 * alone, so that its CPU and RSS are its own — with `attachProbe` reporting to a real hub (probe
 * on) or without it (off). Started by probe-bench-run.ts through the shared ChildHandle and
 * answering its messages through serveParent, as the gateway bench's gateway child does.
 *
 * The hub and the gateway token travel in the environment (PULSE_BENCH_HUB,
 * PULSE_BENCH_INGEST_TOKEN), since the gateway bench's `config` message has no room for them and
 * a token must not ride in argv (visible to every user in `ps`).
 */
import { toParent } from '../shared/bench-ipc.ts';
import type { GatewayChildConfig } from '../shared/bench-ipc.ts';
import { serveParent } from '../shared/serve-parent.ts';
import { startExampleGateway, type ExampleGateway } from '../../src/server/probe/node/test-helpers/node-ws-gateway.ts';
import { benchGatewayId, benchHubEnv, benchTokenEnv } from './probe-bench-config.ts';

let gateway: ExampleGateway | null = null;

async function start(config: GatewayChildConfig): Promise<void> {
  const hub = process.env[benchHubEnv];
  const token = process.env[benchTokenEnv];
  if (config.probe === 'on' && (!hub || !token)) throw new Error(`probe on needs ${benchHubEnv} and ${benchTokenEnv}`);
  gateway = await startExampleGateway({
    secret: config.secret,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    // The example's default grace; the bench's terminals are never silent.
    heartbeatGraceMs: 5000,
    ...(config.probe === 'on' ? { probe: { hub: hub!, token: token!, gateway: benchGatewayId.node } } : {}),
  });
  toParent({ type: 'ready', url: gateway.url });
}

serveParent({
  onMessage: (message) => {
    if (message.type === 'config' && 'probe' in message) void start(message);
  },
  figures: () => {
    const probe = gateway?.probe?.stats();
    return {
      connections: gateway?.clients() ?? 0,
      ...(probe ? { probeEvents: probe.eventsSent + probe.buffered + probe.dropped, probeFrames: probe.batchesAcked, probeDropped: probe.dropped } : {}),
    };
  },
});
