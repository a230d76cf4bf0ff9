/**
 * `pulse start` (what `npm start` runs): the whole pipeline in one process — the hub on
 * 127.0.0.1:7400 (dashboard, /live, /api, /metrics, /healthz), the reference gateway on 7401 with
 * its probe on the in-memory bus, the store under ./data, and a simulated fleet with light random
 * faults — then a sign-in link whose token rides in the URL fragment (never sent to a server, so
 * never in an access log).
 *
 * stdout is for people; the JSON log goes to stderr (warnings and up unless --log-level says more).
 * Ctrl-C / SIGTERM: the fleet closes, the gateway closes 1001, the hub flushes the store, exit 0.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultDataDir, loadSecret } from '../auth/secret.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { createLogger, logLevels, type LogLevel } from '../log/logger.ts';
import { startAllInOne } from '../pipeline/all-in-one.ts';
import type { StoreRecovery } from '../store/store.ts';
import { describeStore, type StoreChoice } from '../store/open-store.ts';
import { parseTerminalsSpec, type TerminalsSpec } from '../sim/fleet-plan.ts';
import { exampleScenarioPath, fleetShape, loadScenarioFile } from '../sim/scenario.ts';
import { intOption, maxHeavyQueriesOption, maxPendingPerSourceOption, retentionOf, retentionOption, storeOption, type RetentionFlags } from './options.ts';
import { alertsFileOption, alertsOptionsOf } from '../alerts/alerts-cli.ts';
import { openRestaurantsFile, restaurantsFileOption } from '../directory/directory-cli.ts';
import type { DirectoryWatch } from '../directory/directory-watch.ts';
import { buildSpa, defaultStaticDir, isBuilt } from '../pipeline/spa-build.ts';
import { waitForSignal } from '../pipeline/wait-for-signal.ts';
import { startWatchingUpstream } from '../pipeline/watch-upstream.ts';
import { proxyMetricsListenOption, upstreamOption } from './proxy-command.ts';
import type { MetricsListen } from '../gateway/metrics-listener.ts';

interface StartOptions extends RetentionFlags {
  port: number;
  gatewayPort: number;
  host: string;
  data: string;
  store: StoreChoice;
  sim: boolean;
  scenario?: string;
  restaurants?: number;
  terminals?: string;
  seed: number;
  build: boolean;
  origin?: string[];
  logLevel: LogLevel;
  upstream?: string;
  upstreamSecret?: string;
  alertsFile: string;
  restaurantsFile?: string;
  maxPendingPerSource: number;
  maxHeavyQueries: number;
  metricsListen: MetricsListen;
}

const helpAfter = `
Everything runs in this one process over an in-memory telemetry bus. To run gateways and hubs as
separate processes, start each with the same \`--bus redis://HOST:PORT\` (pulse gateway, pulse hub).
The store is SQLite in --data unless --store postgres://… names a PostgreSQL database; the
signing secret always lives in --data.

The printed link signs you in as an engineer (all restaurants). Other viewers:
  pulse token viewer --role manager --restaurants r-001,r-002
  pulse token viewer --role support
then open http://127.0.0.1:7400/#token=<token>.

Examples:
  npm start
  pulse start --no-sim                      # real terminals connect to ws://127.0.0.1:7401/ws
  pulse start --port 8400 --gateway-port 8401 --data /tmp/pulse
  pulse start --scenario scenarios/reconcile.json --seed 7

Watch your own gateway instead (no reference gateway, no simulator): terminals connect to the
proxy on --gateway-port, which passes everything on to the upstream unchanged, each request's
query string included (so terminals keep /ws?token=…):
  pulse start --upstream ws://127.0.0.1:8000/ws
  PULSE_UPSTREAM_SECRET=… pulse start --upstream ws://10.0.0.5:8000/ws --host 0.0.0.0`;

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('all-in-one: hub + dashboard on :7400, gateway on :7401, store in ./data, and a simulated fleet')
    .option('--port <port>', 'hub port (dashboard, /live, /api, /metrics)', intOption('--port', 0, 65_535), 7400)
    .option('--gateway-port <port>', 'POS gateway port (terminals connect to ws://HOST:PORT/ws)', intOption('--gateway-port', 0, 65_535), 7401)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'data folder: the SQLite store and the signing secret', defaultDataDir)
    .addOption(storeOption())
    .addOption(alertsFileOption())
    .addOption(restaurantsFileOption())
    .option('--no-sim', 'no simulated fleet: only real terminals')
    .option('--scenario <file>', 'scenario of the simulated fleet (default scenarios/light-faults.json)')
    .option('--restaurants <n>', 'simulated restaurants (default: the scenario\'s, 30)', intOption('--restaurants', 1, 100_000))
    .option('--terminals <m>', 'terminals per restaurant, a count or a range (default: the scenario\'s, 2-6)')
    .option('--seed <n>', 'seed of the simulated fleet', intOption('--seed', 0, 2 ** 32 - 1), 1)
    .option('--no-build', 'do not build the dashboard even if dist/ is missing')
    .option('--upstream <url>', 'watch this gateway instead of running the reference one: a proxy on --gateway-port in front of it, no simulator', upstreamOption)
    .addOption(proxyMetricsListenOption("with --upstream: where the proxy's GET /metrics is served, a listener of its own (the hub's /metrics stays on --port)"))
    .option('--upstream-secret <secret>', 'with --upstream: the secret the gateway signs terminal tokens with (or PULSE_UPSTREAM_SECRET); identities are then verified')
    .option('--origin <url...>', 'browser origins allowed on /live (default: the hub\'s own URL; set it when --host is not loopback)')
    .addOption(maxPendingPerSourceOption())
    .addOption(maxHeavyQueriesOption())
    .addOption(retentionOption('minutes'))
    .addOption(retentionOption('hours'))
    .addOption(retentionOption('events'))
    .addOption(new Option('--log-level <level>', 'JSON log level on stderr (tokens are always redacted)').choices([...logLevels]).default('warn'))
    .addHelpText('after', helpAfter)
    .action((opts: StartOptions) => runStart(opts));
}

async function runStart(opts: StartOptions): Promise<void> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const logger = createLogger({ level: opts.logLevel, name: 'pulse', stderr: true });
  // Which node flags this process really runs with (bin/pulse.js relaunches with gatewayV8Flags).
  logger.info({ node: process.version, execArgv: process.execArgv }, 'process');
  const terminals: TerminalsSpec | undefined = opts.terminals ? parseTerminalsSpec(opts.terminals) : undefined;

  if (!isBuilt(defaultStaticDir)) {
    if (!opts.build) out('dashboard: dist/ is missing and --no-build was given; the hub will say so on its page');
    else {
      out('dashboard: not built yet — building it once (npx vite build)…');
      const result = await buildSpa(out);
      if (result.ok) out(`dashboard: built in ${(result.ms / 1000).toFixed(1)} s`);
      else out(`dashboard: BUILD FAILED (${result.why}); starting anyway — the page will say so. Run \`npm run build\` to see why.`);
    }
  }

  const { secret, source, path } = loadSecret(opts.data);
  const directory = await openRestaurantsFile(opts.restaurantsFile, logger);
  if (opts.upstream) return runWatching(opts, opts.upstream, { secret, source, path }, logger, out, directory);
  const scenarioFile = opts.scenario ?? exampleScenarioPath('light-faults');
  const scenario = opts.sim ? loadScenarioFile(scenarioFile) : undefined;
  const shape = scenario ? fleetShape(scenario, opts.restaurants, terminals) : undefined;

  return serveUntilSignal({
    secret,
    out,
    start: () =>
      startAllInOne({
        secret,
        dataDir: opts.data,
        store: { ...opts.store, retention: retentionOf(opts) },
        host: opts.host,
        port: opts.port,
        gatewayPort: opts.gatewayPort,
        staticDir: defaultStaticDir,
        logger,
        hub: { processMetrics: true, maxPendingPerSource: opts.maxPendingPerSource, maxHeavyQueries: opts.maxHeavyQueries, ...(opts.origin ? { allowedOrigins: opts.origin } : {}), alerts: alertsOptionsOf(opts.alertsFile, opts.data, opts.store), ...(directory ? { directory: directory.current, directoryEditor: directory.editor } : {}) },
        ...(scenario && shape
          ? { sim: { ...shape, scenario, scenarioSource: scenarioFile, seed: opts.seed, log: (line: string) => logger.info({ sim: line }, 'sim') } }
          : {}),
      }),
    banner: (app, link) => [
      'Pulse is running.',
      `  dashboard  ${link}`,
      `  gateway    ${app.gateway.url}  (${app.gateway.id})`,
      `  metrics    ${app.hub.url}/metrics   health ${app.hub.url}/healthz`,
      `  data       ${opts.data}  (secret ${source === 'env' ? 'from PULSE_SECRET' : `in ${path}`})`,
      `  store      ${describeStore(opts.store, opts.data)}`,
      `  alerts     ${opts.alertsFile}  (list: ${app.hub.url}/api/alerts; history in ${opts.data}/alerts.sqlite)`,
      app.fleet && shape
        ? `  simulator  ${app.fleet.terminals.length} terminals in ${shape.restaurants} restaurants, scenario ${scenarioFile}`
        : '  simulator  off (--no-sim): connect real terminals to the gateway',
    ],
    stopping: 'stopping — simulated terminals close, the gateway closes 1001, the hub flushes the store…',
  });
}

/** `pulse start --upstream`: hub + proxy in front of the user's own gateway (pipeline/watch-upstream.ts). */
async function runWatching(opts: StartOptions, upstream: string, loaded: ReturnType<typeof loadSecret>, logger: ReturnType<typeof createLogger>, out: (line: string) => void, directory: DirectoryWatch | undefined): Promise<void> {
  const { secret, source, path } = loaded;
  const upstreamSecret = opts.upstreamSecret ?? process.env.PULSE_UPSTREAM_SECRET;
  return serveUntilSignal({
    secret,
    out,
    start: () =>
      startWatchingUpstream({
        secret,
        dataDir: opts.data,
        store: { ...opts.store, retention: retentionOf(opts) },
        upstream,
        ...(upstreamSecret ? { upstreamSecret } : {}),
        host: opts.host,
        port: opts.port,
        gatewayPort: opts.gatewayPort,
        metricsListen: opts.metricsListen,
        staticDir: defaultStaticDir,
        logger,
        hub: { processMetrics: true, maxPendingPerSource: opts.maxPendingPerSource, maxHeavyQueries: opts.maxHeavyQueries, ...(opts.origin ? { allowedOrigins: opts.origin } : {}), alerts: alertsOptionsOf(opts.alertsFile, opts.data, opts.store), ...(directory ? { directory: directory.current, directoryEditor: directory.editor } : {}) },
      }),
    banner: (app, link) => [
      'Pulse is watching your gateway.',
      `  dashboard  ${link}`,
      `  terminals  connect to ${app.proxy.url}/… instead of the gateway (path and query are passed on)`,
      `  upstream   ${upstream}  (filed as ${app.gatewayId})`,
      `  identity   ${upstreamSecret ? 'verified with the upstream secret' : "unverified token claims; the gateway's 4001 decides (set PULSE_UPSTREAM_SECRET to verify)"}`,
      `  metrics    ${app.hub.url}/metrics   proxy ${app.proxy.metricsUrl}`,
      `  data       ${opts.data}  (secret ${source === 'env' ? 'from PULSE_SECRET' : `in ${path}`})`,
      `  store      ${describeStore(opts.store, opts.data)}`,
      `  alerts     ${opts.alertsFile}  (list: ${app.hub.url}/api/alerts; history in ${opts.data}/alerts.sqlite)`,
    ],
    stopping: 'stopping — the proxy closes its connections (1001), the hub flushes the store…',
  });
}

interface Serving {
  readonly hub: { readonly url: string };
  readonly recovered: StoreRecovery;
  stop(): Promise<void>;
}

/** Start, print the banner with a sign-in link, run until SIGINT/SIGTERM, stop front to back. */
async function serveUntilSignal<A extends Serving>(o: { secret: string; out: (line: string) => void; start: () => Promise<A>; banner: (app: A, link: string) => string[]; stopping: string }): Promise<void> {
  const { out } = o;
  let app: A;
  try {
    app = await o.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`a port is already in use (${(error as Error).message.replace(/^.*EADDRINUSE:?\s*/, '')}); another pulse running? Try --port and --gateway-port`, { cause: error });
    }
    throw error;
  }
  if (!app.recovered.cleanShutdown) out('store: the previous run did not shut down cleanly — see the log line above for what may be missing');
  // Before the link is printed: whoever reads it may press Ctrl-C at once, and must get the clean stop.
  const wait = waitForSignal((s) => out(`${s} again: exiting without waiting`));
  const token = signViewerToken(o.secret, { sub: 'pulse-start', role: 'engineer' }, 7 * 86_400);
  out('');
  for (const line of o.banner(app, `${app.hub.url}/#token=${token}`)) out(line);
  out('The link signs you in as an engineer for 7 days; it stays out of server logs (URL fragment). Ctrl-C stops.');
  const signal = await wait.signal;
  out(`${signal}: ${o.stopping}`);
  try {
    await app.stop();
    out('stopped cleanly.');
    process.exitCode = 0;
  } finally {
    wait.release();
  }
  // Process metrics leave observers behind; everything worth waiting for is closed.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}
