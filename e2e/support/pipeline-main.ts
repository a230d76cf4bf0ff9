/**
 * Hub + gateway in one process, for the e2e harness's `all-in-one` topology (topology.ts): the very
 * composition `pulse start` runs (startAllInOne), minus its simulator — the simulator runs as its own
 * `pulse sim` process so that its ground truth is written by a separate program — and with the
 * heartbeat compressed, which `pulse start` has no flag for (the gateway and `pulse sim` do).
 *
 *   node --import tsx e2e/support/pipeline-main.ts '{"dataDir":…,"port":…,"gatewayPort":…,"heartbeatMs":1000,"graceMs":500,"staticDir":…}'
 *
 * Prints what `pulse start` prints (the hub URL, the gateway URL, a sign-in link) and stops
 * cleanly on SIGTERM. The harness kills it with SIGKILL to test a hub crash.
 */
import { signViewerToken } from '../../src/server/auth/tokens.ts';
import { loadSecret } from '../../src/server/auth/secret.ts';
import { createLogger } from '../../src/server/log/logger.ts';
import { startAllInOne } from '../../src/server/pipeline/all-in-one.ts';
import { alertsOptionsOf, defaultAlertsFile } from '../../src/server/alerts/alerts-cli.ts';

interface PipelineArgs {
  dataDir: string;
  port: number;
  gatewayPort: number;
  heartbeatMs: number;
  graceMs: number;
  backoff: { baseMs: number; capMs: number };
  staticDir: string;
  alertsFile?: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as PipelineArgs;
const { secret } = loadSecret(args.dataDir);
const logger = createLogger({ level: 'warn', name: 'pipeline', stderr: true });

const app = await startAllInOne({
  secret,
  dataDir: args.dataDir,
  port: args.port,
  gatewayPort: args.gatewayPort,
  // Stable across restarts, as the hub's de-duplication by (gateway, run, seq) expects.
  gatewayId: `gw-e2e-${args.gatewayPort}`,
  heartbeatIntervalMs: args.heartbeatMs,
  heartbeatGraceMs: args.graceMs,
  staticDir: args.staticDir,
  // The simulator runs as its own process here, so the hub is told its backoff directly.
  hub: { backoff: args.backoff, alerts: alertsOptionsOf(args.alertsFile ?? defaultAlertsFile, args.dataDir) },
  logger,
});

if (!app.recovered.cleanShutdown) process.stdout.write('store: the previous run did not shut down cleanly\n');
const token = signViewerToken(secret, { sub: 'pulse-e2e', role: 'engineer' }, 3600);
process.stdout.write(`hub listening on ${app.hub.url}\ngateway listening on ${app.gateway.url}\n  dashboard  ${app.hub.url}/#token=${token}\n`);

const stop = (signal: string): void => {
  process.stdout.write(`${signal}: stopping\n`);
  void app.stop().then(
    () => {
      process.stdout.write('stopped cleanly\n');
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
