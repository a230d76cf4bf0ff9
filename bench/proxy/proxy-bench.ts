/**
 * `npm run bench:proxy [-- options]`: what the transparent proxy (src/server/proxy) adds to a fleet
 * on 15 s heartbeats. Figures printed beside their targets, never asserted: on a shared 2-core
 * machine they move with its load. Progress goes to stderr, the report (or --json) to stdout.
 */
import { parseArgs } from 'node:util';
import { fleetOptions, fleetSettings, intArg, runMain } from '../shared/fleet-args.ts';
import { gatewayV8Flags } from '../../src/server/cli/v8-flags.js';
import { defaultTerminals, descriptorLimits, descriptorsPerTerminal, terminalsThatFit } from './proxy-bench-config.ts';
import { formatReport, toJson } from './proxy-bench-report.ts';
import { runProxyBench } from './proxy-bench-run.ts';

const help = `npm run bench:proxy -- [options]

Measures the cost of the transparent WebSocket proxy in front of the reference gateway: the same
fleet of terminals connects straight to the gateway and through the proxy, in alternating phases of
one run, and the bench prints

  heartbeat RTT          ping → pong p50/p99 as the terminals measure it, direct and through the
                         proxy, and the difference at p99                       target ≤ 1 ms added
  proxy CPU              % of one core, process.cpuUsage() of the proxy process over the steady
                         state, per heartbeat interval                          target ≤ 10 %
  proxy RSS per terminal (RSS holding N − idle RSS) / N, after full GCs        target ≤ 12 KB
  proxy GC pauses        the proxy's main-thread GC pauses in the steady state (no frame moves
                         during one): their share of the time, and the longest

The gateway (probe off), the proxy and the terminals each run in a process of their own (the
gateway bench's children), so each figure is one process's own. Each terminal is the real resilient
socket over a real ws connection from a 127.0.x.y source address, with its own JWT.

Options
  --terminals <n>          terminals (default ${defaultTerminals.toLocaleString('en-US')}, or the most one proxy process can carry here)
  --heartbeat-ms <ms>      heartbeat interval of gateway and terminals (default 15000)
  --duration <s>           seconds of steady state per phase (default 60: four heartbeat windows)
  --repeat <k>             direct/proxy pairs of phases, alternating order; figures are medians (default 1)
  --ramp <per-sec>         terminals connected per second (default 1000)
  --per-restaurant <n>     terminals per restaurant (default 10)
  --source-addresses <n>   loopback source addresses the terminals spread over (default 64)
  --proxy-node-flags=<f>   Node/V8 options of the proxy process, space-separated (default none, as
                           pulse proxy runs), e.g. --proxy-node-flags='${gatewayV8Flags.join(' ')}' (the
                           gateway's) or --proxy-node-flags='--cpu-prof --cpu-prof-dir=./prof'
  --json                   print the result as JSON
  -h, --help               this text

Descriptors: the proxy holds ${descriptorsPerTerminal} sockets per terminal (the terminal's leg and its own leg to the
gateway), so a process limited to ~20,000 descriptors (ulimit -n) carries ~9,900 terminals, not
10,000; the bench says so and runs the largest count that fits.

A pair of phases of 10,000 terminals takes about 4 minutes (ramp, one settling interval, the steady
state, the terminals leaving), plus 30 s for the idle proxy's baseline.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...fleetOptions,
      terminals: { type: 'string' },
      'proxy-node-flags': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(help + '\n');
    return;
  }
  const limits = descriptorLimits();
  const fit = terminalsThatFit(limits?.soft ?? 20_000);
  const asked = intArg('terminals', values.terminals, defaultTerminals, 1, 100_000);
  const notes: string[] = [];
  let terminals = asked;
  if (asked > fit) {
    terminals = fit;
    notes.push(
      `${asked.toLocaleString('en-US')} terminals asked, ${fit.toLocaleString('en-US')} run: the proxy holds ${descriptorsPerTerminal} sockets per terminal and this process may open ` +
        `${limits ? `${limits.soft.toLocaleString('en-US')} descriptors (ulimit -n; hard limit ${limits.hard.toLocaleString('en-US')})` : 'about 20,000 descriptors'}, ` +
        `less a reserve for its own; ${asked.toLocaleString('en-US')} would need ${(asked * descriptorsPerTerminal).toLocaleString('en-US')}. A larger fleet needs several proxy processes.`,
    );
  }
  notes.push('the proxy dials the gateway from 127.0.0.1 alone: up to ~28,000 ephemeral ports per gateway address, ample for one process');
  for (const n of notes) process.stderr.write(`bench: ${n}\n`);
  const result = await runProxyBench({
    terminals,
    ...fleetSettings(values),
    proxyNodeFlags: (values['proxy-node-flags'] ?? '').split(/\s+/).filter(Boolean),
    progress: (line) => process.stderr.write(line + '\n'),
  });
  process.stdout.write((values.json ? toJson(result, notes) : formatReport(result, notes)) + '\n');
}

runMain('bench:proxy', main);
