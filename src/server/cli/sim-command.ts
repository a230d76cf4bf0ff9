/**
 * `pulse sim` — a simulated POS fleet against a running gateway: real sockets, the real protocol,
 * network profiles and scripted faults, with the ground truth written as NDJSON.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { loadSecret, defaultDataDir } from '../auth/secret.ts';
import { parseTerminalsSpec } from '../sim/fleet-plan.ts';
import type { TerminalsSpec } from '../sim/fleet-plan.ts';
import { startFleet } from '../sim/fleet.ts';
import { emptyScenario, fleetShape, loadScenarioFile } from '../sim/scenario.ts';
import { formatSummary } from '../sim/summary.ts';
import { intOption } from './options.ts';

interface SimOptions {
  gateway: string;
  restaurants?: number;
  terminals?: TerminalsSpec;
  scenario?: string;
  duration?: number;
  truth?: string;
  seed: number;
  ramp: number;
  heartbeatMs: number;
  data: string;
  tokenVia: 'subprotocol' | 'query';
  welcome: boolean;
  ordersPerMin?: number;
  sourceAddresses?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  progressMs: number;
}

function terminalsOption(value: string): TerminalsSpec {
  try {
    return parseTerminalsSpec(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function gatewayOption(value: string): string {
  if (!/^wss?:\/\/[^\s]+$/.test(value)) throw new InvalidArgumentError('expected a ws:// or wss:// URL, e.g. ws://127.0.0.1:7401/ws');
  return value;
}

function numberOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    return n;
  };
}

const helpAfter = `
The terminals' tokens are signed with PULSE_SECRET, or with the secret kept in the data folder
(--data), exactly as \`pulse gateway\` loads it, so both sides agree without copying anything.

A gateway a fleet already runs may differ from Pulse's: a Fynlo-style one (examples/fastapi-gateway)
reads the token from ?token= and sends no welcome, so run against it with --token-via query
--no-welcome and PULSE_SECRET set to its secret. The URL carrying a token is never printed.

Scenarios (docs/scenarios.md, examples in scenarios/) schedule faults: restaurant outages,
half-open (silent) links, bad tokens, slow networks, flaps, rate-limit abusers, oversize frames,
terminals that ignore backoff. A "gateway-restart" fault cannot restart an external gateway: when
it comes due the simulator says so — restart the gateway yourself.

Progress goes to stderr every few seconds; Ctrl-C (or SIGTERM, or the end of --duration) closes
every terminal with 1000, flushes the truth file and prints a summary.

Examples:
  pulse sim --restaurants 20 --terminals 4
  pulse sim --restaurants 30 --terminals 2-6 --scenario scenarios/light-faults.json --truth truth.ndjson
  pulse sim --restaurants 1000 --terminals 19 --ramp 1000 --duration 600`;

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run a simulated fleet of POS terminals against a gateway')
    .option('--gateway <url>', 'gateway WebSocket URL', gatewayOption, 'ws://127.0.0.1:7401/ws')
    .option('--restaurants <n>', 'restaurants r-001… (default: the scenario\'s, else 20)', intOption('--restaurants', 1, 100_000))
    .option('--terminals <m>', 'terminals per restaurant, a count (4) or a seeded random range (2-6) (default: the scenario\'s, else 4)', terminalsOption)
    .option('--scenario <file>', 'scenario JSON file (see docs/scenarios.md)')
    .option('--duration <s>', 'stop after this many seconds (default: run until Ctrl-C)', numberOption('--duration', 0.1, 31_536_000))
    .option('--truth <file>', 'write the ground truth as NDJSON to this file')
    .option('--seed <n>', 'seed of every random choice: the same seed replays the same run', intOption('--seed', 0, 2 ** 32 - 1), 1)
    .option('--ramp <per-sec>', 'terminals started per second', intOption('--ramp', 1, 1_000_000), 500)
    .option('--heartbeat-ms <ms>', 'heartbeat interval; must match the gateway\'s', intOption('--heartbeat-ms', 10, 3_600_000), 15_000)
    .option('--data <dir>', 'data folder holding the generated secret', defaultDataDir)
    .addOption(new Option('--token-via <how>', 'how terminals present their token: the bearer.<jwt> subprotocol, or ?token=<jwt> on the URL').choices(['subprotocol', 'query']).default('subprotocol'))
    .option(
      '--no-welcome',
      'the gateway sends no welcome message: a connection counts as open at its handshake, unless the gateway closes it with 4001 before sending anything (a refused token)',
    )
    .option('--orders-per-min <n>', 'orders each terminal submits per minute (default: the scenario\'s, else 1)', numberOption('--orders-per-min', 0, 6000))
    .option('--source-addresses <n>', 'loopback source addresses 127.0.x.y to spread terminals over (default 64 on Linux, else 1)', intOption('--source-addresses', 1, 60_000))
    .option('--backoff-base-ms <ms>', 'reconnect backoff base (default 2000)', intOption('--backoff-base-ms', 1, 3_600_000))
    .option('--backoff-cap-ms <ms>', 'reconnect backoff cap (default 64000)', intOption('--backoff-cap-ms', 1, 3_600_000))
    .option('--progress-ms <ms>', 'how often to print progress to stderr', intOption('--progress-ms', 100, 3_600_000), 5000)
    .addHelpText('after', helpAfter)
    .action(async (opts: SimOptions) => {
      await runSim(opts);
    });
}

async function runSim(opts: SimOptions): Promise<void> {
  const scenario = opts.scenario ? loadScenarioFile(opts.scenario) : emptyScenario();
  const { restaurants, terminals } = fleetShape(scenario, opts.restaurants, opts.terminals);
  const { secret } = loadSecret(opts.data);
  const backoff = opts.backoffBaseMs !== undefined || opts.backoffCapMs !== undefined ? { baseMs: opts.backoffBaseMs, capMs: opts.backoffCapMs } : undefined;

  const fleet = await startFleet({
    gatewayUrl: opts.gateway,
    secret,
    restaurants,
    terminals,
    scenario,
    ...(opts.scenario ? { scenarioSource: opts.scenario } : {}),
    seed: opts.seed,
    rampPerSec: opts.ramp,
    heartbeatIntervalMs: opts.heartbeatMs,
    tokenVia: opts.tokenVia,
    welcome: opts.welcome,
    ...(opts.truth ? { truthPath: opts.truth } : {}),
    ...(opts.ordersPerMin !== undefined ? { ordersPerTerminalPerMinute: opts.ordersPerMin } : {}),
    ...(opts.sourceAddresses !== undefined ? { sourceAddresses: opts.sourceAddresses } : {}),
    ...(backoff ? { backoff: { ...(backoff.baseMs !== undefined ? { baseMs: backoff.baseMs } : {}), ...(backoff.capMs !== undefined ? { capMs: backoff.capMs } : {}) } } : {}),
    progress: (line) => process.stderr.write(line + '\n'),
    progressEveryMs: opts.progressMs,
    log: (line) => process.stderr.write(line + '\n'),
  });
  process.stderr.write(
    `sim: ${fleet.terminals.length} terminals in ${restaurants} restaurants → ${opts.gateway}, ramp ${opts.ramp}/s, seed ${opts.seed}${opts.scenario ? `, scenario ${opts.scenario}` : ''}\n`,
  );

  // The fleet's timers do not hold the process open (a gateway outage leaves no socket to do so);
  // this interval does, until the fleet has stopped and the truth is flushed.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const why = await new Promise<string>((resolve) => {
    const timer = opts.duration !== undefined ? setTimeout(() => finish('duration reached'), opts.duration * 1000) : undefined;
    const onSigint = (): void => finish('SIGINT');
    const onSigterm = (): void => finish('SIGTERM');
    function finish(reason: string): void {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      resolve(reason);
    }
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
  });
  process.stderr.write(`sim: ${why}, closing every terminal…\n`);
  try {
    const summary = await fleet.stop();
    process.stdout.write(formatSummary(summary) + '\n');
    if (opts.truth) process.stdout.write(`  truth: ${opts.truth}\n`);
  } finally {
    clearInterval(keepAlive);
  }
}
