/**
 * `pulse hub` — the hub alone: dashboard, `/live`, `/api`, `/metrics` over the store in --data.
 * With `--bus redis://…` it reads the telemetry of gateways in other processes (`pulse gateway
 * --bus redis://…`); with the default in-memory bus it shows the stored history and an empty live fleet.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultDataDir, loadSecret } from '../auth/secret.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { startHub } from '../hub/hub.ts';
import { createLogger, logLevels, type LogLevel } from '../log/logger.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { busOption, describeBus, openChosenRedisBus, type BusChoice } from '../bus/redis-bus-option.ts';
import { ingestStream, startRedisIngestReader } from '../bus/redis-ingest.ts';
import { defaultStaticDir } from '../pipeline/spa-build.ts';
import { waitForSignal } from '../pipeline/wait-for-signal.ts';
import { describeStore, openChosenStore, type StoreChoice } from '../store/open-store.ts';
import { intOption, maxHeavyQueriesOption, maxPendingPerSourceOption, retentionOf, retentionOption, storeOption, type RetentionFlags } from './options.ts';
import { alertsFileOption, alertsOptionsOf } from '../alerts/alerts-cli.ts';
import { openRestaurantsFile, restaurantsFileOption } from '../directory/directory-cli.ts';

interface HubCommandOptions extends RetentionFlags {
  port: number;
  host: string;
  data: string;
  store: StoreChoice;
  static: string;
  origin?: string[];
  logLevel: LogLevel;
  bus: BusChoice;
  heartbeatMs: number;
  graceMs: number;
  stableAfterMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  liveRefreshMs: number;
  /** Hub knobs (hub.ts startHub): not-yet-upgraded connections per source, heavy API queries at once. */
  maxPendingPerSource: number;
  maxHeavyQueries: number;
  alertsFile: string;
  restaurantsFile?: string;
}

export function registerHubCommand(program: Command): void {
  program
    .command('hub')
    .description('run the hub alone (dashboard, /live, /api, /metrics) over the store (--store; default SQLite in --data)')
    .option('--port <port>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65_535), 7400)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder: the SQLite store and the signing secret', defaultDataDir)
    .addOption(storeOption())
    .option('--static <dir>', 'the built dashboard to serve', defaultStaticDir)
    .option('--origin <url...>', 'browser origins allowed on /live (default: the hub\'s own URL)')
    .addOption(new Option('--log-level <level>', 'JSON log level on stderr (tokens are always redacted)').choices([...logLevels]).default('info'))
    .addOption(busOption('gateways publish to it'))
    .addOption(alertsFileOption())
    .addOption(restaurantsFileOption())
    // The fleet's rules: the gateways' heartbeat and the terminals' backoff. The terminal view
    // judges terminals by them, so give the values the gateways and terminals really run with.
    .option('--heartbeat-ms <ms>', 'heartbeat interval the gateways ask of terminals (as pulse gateway --heartbeat-ms)', intOption('--heartbeat-ms', 10, 3_600_000), 15_000)
    .option('--grace-ms <ms>', 'grace after the interval within which a heartbeat is on time (as pulse gateway --grace-ms)', intOption('--grace-ms', 0, 3_600_000), 5_000)
    .option('--stable-after-ms <ms>', 'terminals reset their reconnect attempts after a connection stayed up this long', intOption('--stable-after-ms', 1, 3_600_000), 15_000)
    .option('--backoff-base-ms <ms>', 'terminals\' reconnect backoff base: a retry sooner is "backoff not respected"', intOption('--backoff-base-ms', 1, 3_600_000), 2_000)
    .option('--live-refresh-ms <ms>', 'longest a restaurant\'s changing rates and percentiles wait to be streamed to dashboards: 5 s for small fleets, growing to this at 1,800 restaurants (status and connection changes go out every tick; 0 = every tick)', intOption('--live-refresh-ms', 0, 3_600_000), 60_000)
    .option('--backoff-cap-ms <ms>', 'terminals\' reconnect backoff cap', intOption('--backoff-cap-ms', 1, 3_600_000), 64_000)
    .addOption(maxPendingPerSourceOption())
    .addOption(maxHeavyQueriesOption())
    .addOption(retentionOption('minutes'))
    .addOption(retentionOption('hours'))
    .addOption(retentionOption('events'))
    .addHelpText(
      'after',
      `
With the default in-memory bus a standalone hub receives no live frames from gateways in other
processes, so it serves the stored history and an empty live fleet. For a live fleet, run gateways
and hubs with the same \`--bus redis://HOST:PORT\` (every hub reads the whole stream), or run
\`pulse start\` for everything in one process.

Examples:
  pulse hub --data ./data
  pulse hub --port 0 --origin https://pulse.example.com
  pulse hub --bus redis://127.0.0.1:6379
  pulse hub --store postgres://pulse@db.internal:5432/pulse --bus redis://127.0.0.1:6379
  pulse hub --heartbeat-ms 1000 --grace-ms 500 --backoff-base-ms 300 --backoff-cap-ms 2000`,
    )
    .action((opts: HubCommandOptions) => runHub(opts));
}

async function runHub(opts: HubCommandOptions): Promise<void> {
  const logger = createLogger({ level: opts.logLevel, name: 'hub', stderr: true });
  const { secret } = loadSecret(opts.data);
  const directory = await openRestaurantsFile(opts.restaurantsFile, logger);
  const { store, recovered } = await openChosenStore({ ...opts.store, retention: retentionOf(opts) }, { dataDir: opts.data, logger });
  const redisBus = openChosenRedisBus(opts.bus, logger);
  let hub;
  try {
    hub = await startHub({
      secret,
      host: opts.host,
      port: opts.port,
      bus: redisBus ?? createMemoryBus(),
      store,
      recovered,
      logger,
      staticDir: opts.static,
      processMetrics: true,
      ...(opts.origin ? { allowedOrigins: opts.origin } : {}),
      heartbeatIntervalMs: opts.heartbeatMs,
      heartbeatGraceMs: opts.graceMs,
      stableAfterMs: opts.stableAfterMs,
      backoff: { baseMs: opts.backoffBaseMs, capMs: opts.backoffCapMs },
      live: { refreshMaxMs: opts.liveRefreshMs },
      maxPendingPerSource: opts.maxPendingPerSource,
      maxHeavyQueries: opts.maxHeavyQueries,
      alerts: alertsOptionsOf(opts.alertsFile, opts.data, opts.store),
      ...(directory ? { directory: directory.current, directoryEditor: directory.editor } : {}),
    });
  } catch (error) {
    await redisBus?.close();
    await store.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${opts.port} on ${opts.host} is already in use (try --port 0)`, { cause: error });
    throw error;
  }
  // Over Redis, probes that already have one may write raw events to the ingest stream (docs/telemetry.md).
  const redisIngest = opts.bus.kind === 'redis' ? startRedisIngestReader({ url: opts.bus.url, target: hub.ingest, logger }) : null;
  const token = signViewerToken(secret, { sub: 'pulse-hub', role: 'engineer' }, 7 * 86_400);
  process.stdout.write(`pulse hub listening on ${hub.url}\n  dashboard  ${hub.url}/#token=${token}\n  metrics    ${hub.url}/metrics\n  ingest     ${hub.url.replace(/^http/, 'ws')}/ingest (gateway tokens: pulse token gateway --id …)${redisIngest ? `, and the Redis stream ${ingestStream()}` : ''}\n  bus        ${describeBus(opts.bus)}\n  store      ${describeStore(opts.store, opts.data)}\n  alerts     ${opts.alertsFile}\n`);

  const wait = waitForSignal();
  const signal = await wait.signal;
  process.stdout.write(`${signal}: closing viewers (1001) and flushing the store…\n`);
  try {
    await redisIngest?.stop();
    await hub.close();
    await redisBus?.close();
    await store.close();
    process.stdout.write('hub stopped\n');
  } finally {
    wait.release();
  }
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}
