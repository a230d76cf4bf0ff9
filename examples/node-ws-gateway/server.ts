/**
 * The command line of the plain Node `ws` POS gateway (the gateway itself:
 * src/server/probe/node/test-helpers/node-ws-gateway.ts, kept under src/ so that tsc, eslint's
 * type-aware setup and vitest see it; see README.md).
 *
 *   GATEWAY_SECRET=… npx tsx examples/node-ws-gateway/server.ts --port 8100
 *   GATEWAY_SECRET=… PULSE_HUB=http://127.0.0.1:7400 PULSE_INGEST_TOKEN=$(npx pulse token gateway --id gw-node-1) \
 *     npx tsx examples/node-ws-gateway/server.ts --port 8100 --probe --gateway-id gw-node-1
 */
import { parseArgs } from 'node:util';
import { startExampleGateway } from '../../src/server/probe/node/test-helpers/node-ws-gateway.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8100' },
    host: { type: 'string', default: '127.0.0.1' },
    probe: { type: 'boolean', default: false },
    'gateway-id': { type: 'string', default: 'gw-node-1' },
  },
});

const secret = process.env.GATEWAY_SECRET ?? '';
if (!secret) {
  // Refusing to start beats verifying tokens against an empty key.
  console.error('node-ws-gateway: GATEWAY_SECRET is required (the HS256 secret the terminals\' tokens are signed with)');
  process.exit(2);
}
const env = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

let probe: { hub: string; token: string; gateway: string } | undefined;
if (values.probe) {
  const hub = process.env.PULSE_HUB ?? '';
  const token = process.env.PULSE_INGEST_TOKEN ?? '';
  if (!hub || !token) {
    console.error('node-ws-gateway: --probe needs PULSE_HUB (e.g. http://127.0.0.1:7400) and PULSE_INGEST_TOKEN (npx pulse token gateway --id …)');
    process.exit(2);
  }
  probe = { hub, token, gateway: values['gateway-id'] };
}

const log = (level: string) => (obj: object, msg: string) => console.error(`${level} ${msg} ${JSON.stringify(obj)}`);
const gateway = await startExampleGateway({
  port: Number(values.port),
  host: values.host,
  secret,
  heartbeatIntervalMs: env('HEARTBEAT_INTERVAL_MS', 15_000),
  heartbeatGraceMs: env('HEARTBEAT_GRACE_MS', 5000),
  ...(probe ? { probe: { ...probe, logger: { warn: log('warn'), error: log('error'), debug: () => {} } } } : {}),
});
// Never the URL with a token: only where terminals connect.
console.log(`node-ws-gateway: listening on ${gateway.url}${probe ? ` · reporting to ${probe.hub} as ${probe.gateway}` : ''}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.stop().then(() => process.exit(0));
  });
}
