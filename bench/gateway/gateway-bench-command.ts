/**
 * `pulse bench gateway` (`npm run bench:gateway`): what a gateway process costs to hold N terminals
 * on 15 s heartbeats, with the probe on and off. Performance is measured here and printed, never
 * asserted by a timer in a test: figures on a shared 2-core machine vary with its load.
 *
 * Progress goes to stderr; the report (or `--json`) to stdout, so `> result.json` keeps it clean.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatReport, toJson } from './bench-report.ts';
import { runGatewayBench } from './gateway-bench.ts';
import type { ProbeMode } from '../shared/bench-ipc.ts';
import { intOption } from '../../src/server/cli/options.ts';

interface GatewayBenchCliOptions {
  terminals: number;
  duration: number;
  ramp: number;
  probe: ProbeMode | 'both';
  repeat: number;
  perRestaurant: number;
  sourceAddresses: number;
  heartbeatMs: number;
  cpuProf?: string;
  json?: boolean;
}

/** A process may hold ~20,000 file descriptors here (it cannot be raised): 19,000 sockets and some room. */
const maxTerminals = 19_000;

const helpAfter = `
Runs the reference gateway alone in a child process and N terminals in another (each terminal the
real resilient socket over a real ws connection, from 127.0.x.y source addresses, presenting its own
JWT). Terminals ramp in at --ramp per second; then the steady state lasts --duration seconds, read
once per heartbeat interval (15 s: one ping of every terminal per window). Printed per run:

  connections held       authenticated connections at the gateway at the end
  gateway CPU            % of one core, median of the heartbeat-interval windows (ramp excluded)
  RSS per connection     (RSS with N − RSS before connecting) / N, each after a full GC
  heartbeat RTT          p50 / p99 of ping → pong as measured by the terminals

and, with --probe both, the ratio of probe-on to probe-off CPU, beside the targets of issue 2
(19,000 held, ≤ 15 % of one core, ≤ 6 KB per connection, probe on/off ≤ 1.2×). On a shared
machine one run's CPU moves by ±10 %, as much as the probe costs: --repeat 3 runs alternating
on/off pairs and checks the targets against the medians.

Probe on = every probe event folded by the probe aggregator, flushed once a second (the gateway's
real telemetry work); probe off = no probe at all.

Traffic stays on loopback; every run is bounded by --duration plus the ramp. A run of 19,000 needs
two processes of ~19,000 descriptors each, which is why the terminals get a process of their own.

Examples:
  npm run bench:gateway
  npm run bench:gateway -- --terminals 2000 --duration 20
  pulse bench gateway --terminals 19000 --duration 60 --json > bench.json
  pulse bench gateway --terminals 19000 --repeat 3          # ~20 min; steadier on/off ratio
  pulse bench gateway --probe on --cpu-prof ./profiles     # then open the .cpuprofile in DevTools`;

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('measure parts of Pulse under load (figures printed, never asserted)');
  bench
    .command('gateway')
    .description('hold N terminals on 15 s heartbeats against the reference gateway; print CPU, RSS per connection and RTT, probe on and off')
    .option('--terminals <n>', `terminals to hold (at most ${maxTerminals.toLocaleString('en-US')}: one process holds ~20,000 descriptors)`, intOption('--terminals', 1, maxTerminals), 10_000)
    .option('--duration <s>', 'seconds of steady state after the ramp (60 = four heartbeat cycles)', intOption('--duration', 1, 3600), 60)
    .option('--ramp <per-sec>', 'terminals connected per second', intOption('--ramp', 1, 20_000), 1000)
    .addOption(new Option('--probe <mode>', 'probe on, off, or both runs one after the other').choices(['on', 'off', 'both']).default('both'))
    .option('--repeat <n>', 'runs of each probe mode (pairs alternate on/off order); figures are the medians', intOption('--repeat', 1, 20), 1)
    .option('--per-restaurant <n>', 'terminals per restaurant (restaurants = terminals / this)', intOption('--per-restaurant', 1, 1000), 10)
    .option('--source-addresses <n>', 'loopback source addresses 127.0.x.y to spread terminals over', intOption('--source-addresses', 1, 60_000), 64)
    .option('--heartbeat-ms <ms>', 'heartbeat interval of gateway and terminals', intOption('--heartbeat-ms', 1000, 600_000), 15_000)
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each gateway process into this folder')
    .option('--json', 'print the result as JSON (progress still goes to stderr)')
    .addHelpText('after', helpAfter)
    .action(async (opts: GatewayBenchCliOptions) => {
      const cpuProfileDir = opts.cpuProf ? resolve(opts.cpuProf) : undefined;
      if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
      const result = await runGatewayBench({
        terminals: opts.terminals,
        durationS: opts.duration,
        rampPerSec: opts.ramp,
        probe: opts.probe,
        repeat: opts.repeat,
        perRestaurant: opts.perRestaurant,
        sourceAddresses: opts.sourceAddresses,
        heartbeatIntervalMs: opts.heartbeatMs,
        ...(cpuProfileDir ? { cpuProfileDir } : {}),
        progress: (line) => process.stderr.write(line + '\n'),
      });
      process.stdout.write((opts.json ? toJson(result) : formatReport(result)) + '\n');
      if (cpuProfileDir) process.stderr.write(`CPU profiles of the gateway written under ${cpuProfileDir} (one folder per run; the main thread's is the largest file)\n`);
    });
}
