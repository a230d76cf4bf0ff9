/**
 * `pulse proxy` — a transparent WebSocket reverse proxy in front of a gateway Pulse did not write:
 * terminals are pointed at it, everything they and the gateway say passes unchanged, and what it
 * sees of each connection goes to a hub's `/ingest` as raw connection events (docs/telemetry.md).
 *
 * stdout carries a few lines for people; the JSON log goes to stderr. Tokens never reach either.
 * SIGINT/SIGTERM: every pair closes with 1001, the last batch goes to the hub, exit 0.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { createDecoder } from 'fast-jwt';
import { createLogger, logLevels, type LogLevel } from '../log/logger.ts';
import { waitForSignal } from '../pipeline/wait-for-signal.ts';
import { createIngestClient, type IngestClient } from '../probe/ingest-client.ts';
import { ingestUrl, wsIngestTransport } from '../probe/ingest-transports.ts';
import { createProxyTelemetry } from '../probe/proxy-telemetry.ts';
import { startProxy, type Proxy } from '../proxy/proxy-server.ts';
import type { MetricsListen } from '../gateway/metrics-listener.ts';
import { metricsListenOption } from './gateway-command.ts';
import { parseBusOption, type BusChoice } from '../bus/redis-bus-option.ts';
import { ingestStream, redisIngestTransport } from '../bus/redis-ingest.ts';

interface ProxyCommandOptions {
  listen: { host: string; port: number };
  metricsListen: MetricsListen;
  upstream: string;
  hub?: string;
  token?: string;
  id?: string;
  secret?: string;
  bus?: BusChoice;
  logLevel: LogLevel;
}

export function listenOption(value: string): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65_535) throw new InvalidArgumentError('--listen takes HOST:PORT or PORT, e.g. 127.0.0.1:7401');
  return { host: m[1] || '127.0.0.1', port };
}

/** `--metrics-listen` of `pulse proxy` and of `pulse start --upstream` (its proxy's): as the gateway's. */
export function proxyMetricsListenOption(description = "where the proxy's GET /metrics is served: a listener of its own, never the terminals' port"): Option {
  return new Option('--metrics-listen <host:port>', description)
    .default({ host: '127.0.0.1', port: 7402 }, '127.0.0.1:7402')
    .argParser(metricsListenOption);
}

export function upstreamOption(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidArgumentError('--upstream takes a WebSocket URL, e.g. ws://127.0.0.1:8000/ws');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new InvalidArgumentError('--upstream must be a ws:// or wss:// URL');
  if (u.search) throw new InvalidArgumentError('--upstream must not carry a query: each terminal\'s own query (its ?token=) is passed on');
  return value;
}

/** The gateway id a gateway token was minted for (its `sub`), read without verifying: the hub verifies. */
function gatewayIdOfToken(token: string): string | undefined {
  try {
    const claims = createDecoder()(token) as { sub?: unknown; role?: unknown };
    return claims.role === 'gateway' && typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description('watch a gateway Pulse did not write: a transparent WebSocket proxy in front of it that reports every connection to a hub')
    .option('--listen <host:port>', 'where terminals connect instead of the gateway', listenOption, { host: '127.0.0.1', port: 7401 })
    .addOption(proxyMetricsListenOption())
    .requiredOption('--upstream <url>', 'the gateway behind the proxy, e.g. ws://10.0.0.5:8000/ws', upstreamOption)
    .option('--hub <url>', 'the hub that receives the telemetry, e.g. http://127.0.0.1:7400 (its /ingest)')
    .option('--token <jwt>', 'gateway token for the hub (pulse token gateway --id …); or PULSE_INGEST_TOKEN')
    .option('--id <gateway>', 'gateway id the telemetry is filed under (default: the token\'s, else proxy-<hostname>-<port>)')
    .addOption(new Option('--bus <redis-url>', 'instead of --hub: XADD the telemetry to the Redis ingest stream that hubs on that Redis read (pulse hub --bus redis://…)').argParser(parseBusOption))
    .option('--secret <secret>', 'the secret terminal tokens are signed with (or PULSE_SECRET): identities verified, opens reported at once')
    .addOption(new Option('--log-level <level>', 'JSON log level on stderr (tokens are always redacted)').choices([...logLevels]).default('info'))
    .addHelpText(
      'after',
      `
Everything passes unchanged both ways: the upgrade (path, query, subprotocols, the headers that
matter; the gateway's own 101 headers, set-cookie included), every frame byte for byte (text,
binary, fragments, pings, pongs), close codes and reasons. When the upstream is unreachable or
refuses the upgrade, the terminal is accepted and closed with 1014 and a reason.

Paths: with an upstream path (ws://backend/ws) every request goes to that path with its own query
string, so terminals keep /ws?token=…; with none (ws://backend) each request's path goes as it is.

Who a terminal is comes from its token's claims (sub, rid): verified with --secret / PULSE_SECRET,
otherwise read unverified — then a 4001 from the gateway before it said anything is counted as a
refused token, not a connection. Without --hub (or --bus) the proxy only forwards and serves its
metrics. With --bus redis://… batches go to the Redis stream pulse:ingest ($PULSE_INGEST_STREAM),
read by every hub started with the same --bus.
The proxy's own endpoints: GET /healthz on the terminals' port; GET /metrics on --metrics-listen
only (default 127.0.0.1:7402, a listener of its own; /metrics on the terminals' port is a 404).

Examples:
  pulse token gateway --id gw-eu-1 > gw.token
  pulse proxy --listen 0.0.0.0:7401 --upstream ws://127.0.0.1:8000/ws --hub http://127.0.0.1:7400 --token "$(cat gw.token)"
  PULSE_SECRET=… pulse proxy --upstream ws://127.0.0.1:8000/ws --hub http://pulse:7400 --token …`,
    )
    .action((opts: ProxyCommandOptions) => runProxy(opts));
}

async function runProxy(opts: ProxyCommandOptions): Promise<void> {
  const logger = createLogger({ level: opts.logLevel, name: 'proxy', stderr: true });
  const token = opts.token ?? process.env.PULSE_INGEST_TOKEN;
  const secret = opts.secret ?? process.env.PULSE_SECRET;
  const redis = opts.bus?.kind === 'redis' ? opts.bus.url : undefined;
  if (redis && opts.hub) throw new Error('give --hub or --bus, not both: one way to the hubs');
  if (opts.hub && !token) throw new Error('--hub needs a gateway token: --token "$(pulse token gateway --id gw-1)" or PULSE_INGEST_TOKEN');
  if (token && !opts.hub) throw new Error('--token is for the hub: give --hub http://HOST:7400 too');
  const fromToken = token ? gatewayIdOfToken(token) : undefined;
  if (token && !fromToken) throw new Error('--token is not a gateway token (mint one with: pulse token gateway --id gw-1)');
  if (opts.id && fromToken && opts.id !== fromToken) throw new Error(`--id ${opts.id} differs from the token's gateway id ${fromToken}: the hub would refuse every batch`);
  const gatewayId = opts.id ?? fromToken ?? `proxy-${hostname()}-${opts.listen.port}`;

  let client: IngestClient | null = null;
  const telemetry = createProxyTelemetry({ push: (e) => client?.push(e), ...(secret ? { secret } : {}) });
  const transport = opts.hub && token ? wsIngestTransport({ hub: opts.hub, token, logger }) : redis ? redisIngestTransport({ url: redis, gatewayId, logger }) : null;
  if (transport) client = createIngestClient({ gatewayId, transport, openConnections: () => telemetry.openConnections(), logger });
  let proxy: Proxy;
  try {
    proxy = await startProxy({ upstream: opts.upstream, host: opts.listen.host, port: opts.listen.port, metricsListen: opts.metricsListen, ...(client ? { observer: telemetry } : {}), logger, proxyId: gatewayId, processMetrics: true });
  } catch (error) {
    await client?.close(0);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`${opts.listen.host}:${opts.listen.port} is already in use (try --listen with another port)`, { cause: error });
    throw error;
  }
  const wait = waitForSignal((signal) => process.stdout.write(`${signal} again: exiting without waiting\n`));
  const http = proxy.url.replace(/^ws:/, 'http:');
  process.stdout.write(
    [
      `pulse proxy ${gatewayId} listening on ${proxy.url}`,
      `  upstream   ${opts.upstream}`,
      `  telemetry  ${opts.hub ? `${ingestUrl(opts.hub)} as ${gatewayId}` : redis ? `Redis stream ${ingestStream()} as ${gatewayId}` : 'off (no --hub or --bus): forwarding only'}`,
      `  identity   ${secret ? 'verified with the terminals\' secret' : 'unverified claims; the gateway\'s 4001 decides (give --secret to verify)'}`,
      `  metrics    ${proxy.metricsUrl}   health ${http}/healthz`,
      '',
    ].join('\n'),
  );
  const signal = await wait.signal;
  process.stdout.write(`${signal}: closing ${proxy.connectionCount()} connection(s) with 1001\n`);
  await proxy.close();
  // A clean stop: the last batch says goodbye, so the hub reads this gateway stopped, not lost.
  await client?.close(undefined, { goodbye: true });
  wait.release();
  process.stdout.write('proxy stopped\n');
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 200).unref();
}
