/**
 * `pulse gateway` — run the reference POS gateway until SIGINT/SIGTERM, which close every terminal
 * with 1001 "Server shutting down" before the process exits 0; with a Redis bus its last telemetry
 * frame says goodbye, so hubs read it stopped rather than lost (docs/telemetry.md, "Stopping").
 *
 * stdout carries a few lines for people (where it listens, where /metrics is); the JSON log goes to
 * stderr so the two can be read or piped apart.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { defaultDataDir, loadSecret } from '../auth/secret.ts';
import { busOption, describeBus, openChosenRedisBus, type BusChoice } from '../bus/redis-bus-option.ts';
import { startGateway } from '../gateway/gateway.ts';
import type { Gateway } from '../gateway/gateway.ts';
import type { MetricsListen } from '../gateway/metrics-listener.ts';
import { defaultMaxPendingPerSource } from '../http/server-timeouts.ts';
import { createBusProbe } from '../gateway/bus-probe.ts';
import { createLogger, logLevels } from '../log/logger.ts';
import type { LogLevel } from '../log/logger.ts';
import { waitForSignal } from '../pipeline/wait-for-signal.ts';
import { intOption } from './options.ts';

interface GatewayCommandOptions {
  port: number;
  host: string;
  id?: string;
  heartbeatMs: number;
  graceMs: number;
  logLevel: LogLevel;
  data: string;
  bus: BusChoice;
  metricsListen: MetricsListen;
  maxPendingPerSource: number;
}

/** `--metrics-listen HOST:PORT` (`[::1]:7402` for IPv6; port 0 = any free one). */
export function metricsListenOption(value: string): MetricsListen {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new InvalidArgumentError('--metrics-listen must be HOST:PORT, e.g. 127.0.0.1:7402');
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description('run the reference POS gateway: terminals on ws://HOST:PORT/ws, Prometheus metrics on http://127.0.0.1:7402/metrics (--metrics-listen)')
    .option('--port <port>', 'port to listen on (0 = any free port; the chosen one is printed)', intOption('--port', 0, 65_535), 7401)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--id <id>', 'gateway id, unique and stable across restarts (default gw-<hostname>-<port>)')
    .option('--heartbeat-ms <ms>', 'heartbeat interval terminals are told to keep', intOption('--heartbeat-ms', 10, 3_600_000), 15_000)
    .option('--grace-ms <ms>', 'grace after the interval: a terminal silent for 2 intervals + grace is dropped (4008)', intOption('--grace-ms', 0, 3_600_000), 5_000)
    .addOption(new Option('--log-level <level>', 'log level (JSON lines on stderr; tokens are always redacted)').choices([...logLevels]).default('info'))
    .option('--data <dir>', 'data folder holding the signing secret (PULSE_SECRET wins when set)', defaultDataDir)
    .addOption(busOption('hubs in other processes read it'))
    .addOption(
      new Option('--metrics-listen <host:port>', "where GET /metrics is served: a listener of its own, never the terminals' port (its series name every restaurant)")
        .default({ host: '127.0.0.1', port: 7402 }, '127.0.0.1:7402')
        .argParser(metricsListenOption),
    )
    .option(
      '--max-pending-per-source <n>',
      'connections one address may have waiting for their upgrade at once; more are dropped and counted',
      intOption('--max-pending-per-source', 1, 1_000_000),
      defaultMaxPendingPerSource,
    )
    .addHelpText(
      'after',
      `
Terminals authenticate with a JWT from \`pulse token terminal\`, sent as the subprotocol
\`bearer.<jwt>\` (offered together with \`pulse.v1\`) or, for legacy terminals, as \`?token=<jwt>\`.
Also on the terminals' port: GET /healthz. GET /metrics is on --metrics-listen only
(default 127.0.0.1:7402): it lists every restaurant id, so keep it off public addresses.

Examples:
  pulse gateway
  pulse gateway --port 0 --heartbeat-ms 2000 --log-level debug
  PULSE_SECRET=... pulse gateway --host 0.0.0.0 --id gw-eu-1
  pulse gateway --id gw-eu-1 --bus redis://127.0.0.1:6379   # hubs: pulse hub --bus redis://…`,
    )
    .action((opts: GatewayCommandOptions) => runGateway(opts));
}

async function runGateway(opts: GatewayCommandOptions): Promise<void> {
  const { secret, source, path } = loadSecret(opts.data);
  const logger = createLogger({ level: opts.logLevel, name: 'gateway', stderr: true });
  // Which node flags this process really runs with (bin/pulse.js relaunches with gatewayV8Flags).
  logger.info({ node: process.version, execArgv: process.execArgv }, 'process');
  // With a Redis bus the probe publishes a telemetry frame a second for hubs in other processes; its
  // id must be known before the gateway starts and stay stable across restarts (de-duplication).
  // With the in-memory bus nobody else could read it: probe events go to the debug log, if enabled.
  const redisBus = openChosenRedisBus(opts.bus, logger);
  const gatewayId = opts.id ?? (redisBus ? `gw-${hostname()}-${opts.port || Math.random().toString(36).slice(2, 8)}` : undefined);
  const busProbe = redisBus && gatewayId ? createBusProbe({ bus: redisBus, gatewayId, logger }) : null;
  const probe = busProbe ?? (logger.isLevelEnabled('debug') ? { emit: (event: unknown) => logger.debug({ probe: event }, 'probe') } : null);

  let gateway: Gateway;
  try {
    gateway = await startGateway({
      secret,
      host: opts.host,
      port: opts.port,
      heartbeatIntervalMs: opts.heartbeatMs,
      heartbeatGraceMs: opts.graceMs,
      logger,
      probe,
      processMetrics: true,
      metricsListen: opts.metricsListen,
      maxPendingPerSource: opts.maxPendingPerSource,
      ...(gatewayId ? { gatewayId } : {}),
    });
  } catch (error) {
    await busProbe?.stop();
    await redisBus?.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${opts.port} on ${opts.host} is already in use (another gateway? try --port 0 for any free port)`, { cause: error });
    }
    throw error;
  }

  const http = gateway.url.replace(/^ws:/, 'http:').replace(/\/ws$/, '');
  // Handlers first, banner second: whoever reads the banner may press Ctrl-C at once (seen: a
  // SIGINT that arrived between the two killed the process with no clean close).
  // A second Ctrl-C means "now": skip the wait for terminals to answer.
  const wait = waitForSignal((signal) => process.stdout.write(`${signal} again: exiting without waiting\n`));
  process.stdout.write(
    [
      `pulse gateway ${gateway.id} listening on ${gateway.url}`,
      `  metrics  ${gateway.metricsUrl}`,
      `  health   ${http}/healthz`,
      `  bus      ${describeBus(opts.bus)}`,
      `  secret   ${source === 'env' ? 'from PULSE_SECRET' : `from ${path}`}`,
      '',
    ].join('\n'),
  );
  const signal = await wait.signal;
  process.stdout.write(`${signal}: closing ${gateway.connectionCount()} terminal connection(s) with 1001\n`);
  // Front to back: the terminals' last closes (1001) reach the probe, its last frame the bus,
  // and the bus writes what it still holds before the process goes.
  await gateway.close();
  await busProbe?.stop();
  await redisBus?.close();
  wait.release();
  process.stdout.write('gateway stopped\n');
  // Process metrics leave observers behind; once the gateway is closed nothing else is worth waiting for.
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 200).unref();
}
