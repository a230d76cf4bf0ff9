/**
 * `npm run bench:probe [-- options]`: what the Node and the Python probe cost the gateways they
 * watch (probe-bench-run.ts). Figures printed beside their targets, never asserted: on a shared
 * 2-core machine they move with its load. Progress goes to stderr, the report (or --json) to stdout.
 */
import { parseArgs } from 'node:util';
import { fleetOptions, fleetSettings, intArg, runMain } from '../shared/fleet-args.ts';
import { defaultTerminals, targets, type Target } from './probe-bench-config.ts';
import { formatReport, toJson } from './probe-bench-report.ts';
import { runProbeBench } from './probe-bench-run.ts';

const help = `npm run bench:probe -- [options]

Measures what a probe costs the gateway it watches, as bench:gateway measures the reference probe:

  Node    the plain ws gateway of examples/node-ws-gateway, with and without attachProbe
          (pulse/probe) reporting to a real hub; ${defaultTerminals.node.toLocaleString('en-US')} terminals
            CPU on/off         gateway process, % of one core           target ≤ ${targets.node.cpuRatio}×
            RSS per connection (RSS holding N − idle RSS) / N, on and off, and the probe's share
  Python  the FastAPI gateway of examples/fastapi-gateway, with and without its Python probe
          (probes/python) reporting to the same hub; ${defaultTerminals.python.toLocaleString('en-US')} terminals
            CPU on/off         uvicorn process (/proc), % of one core   target ≤ ${targets.python.cpuRatio}×

Each run is a fresh gateway process and a fresh terminals process (bench:gateway's: real resilient
sockets over ws, one JWT each in ?token=, from 127.0.x.y source addresses); CPU is the median of
the steady state's heartbeat-interval windows. With --repeat N each gateway runs N on/off pairs,
alternating their order; the report gives every run (with the load average at its start), the
median of the runs per mode, the ratio of the medians and the ratio of each pair.

Options
  --terminals <n>          Node gateway terminals (default ${defaultTerminals.node.toLocaleString('en-US')})
  --py-terminals <n>       FastAPI gateway terminals (default ${defaultTerminals.python.toLocaleString('en-US')})
  --only <node|python>     one gateway only (default both)
  --repeat <k>             on/off pairs per gateway; figures are medians (default 1)
  --duration <s>           seconds of steady state per run (default 60: four heartbeat windows)
  --heartbeat-ms <ms>      heartbeat interval of gateways and terminals (default 15000)
  --ramp <per-sec>         terminals connected per second (default 1000)
  --per-restaurant <n>     terminals per restaurant (default 10)
  --source-addresses <n>   loopback source addresses the terminals spread over (default 64)
  --cpu-prof-dir <dir>     write a V8 CPU profile of each Node gateway process under <dir>
  --json                   print the result as JSON
  -h, --help               this text

Needs /usr/bin/python3 with fastapi, uvicorn, jwt and websockets for the Python part (Debian:
python3-fastapi python3-uvicorn python3-jwt python3-websockets); without them use --only node.
A Node run of 10,000 terminals takes about 2 minutes (30 s of idle baseline, the ramp, one
settling interval, the steady state); a Python run of 1,000 about 1.5 minutes.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...fleetOptions,
      terminals: { type: 'string' },
      'py-terminals': { type: 'string' },
      only: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(help + '\n');
    return;
  }
  if (values.only !== undefined && values.only !== 'node' && values.only !== 'python') throw new Error(`--only must be node or python, got "${values.only}"`);
  const chosen: Target[] = values.only ? [values.only] : ['node', 'python'];
  const result = await runProbeBench({
    targets: chosen,
    terminals: {
      node: intArg('terminals', values.terminals, defaultTerminals.node, 1, 100_000),
      python: intArg('py-terminals', values['py-terminals'], defaultTerminals.python, 1, 100_000),
    },
    ...fleetSettings(values),
    ...(values['cpu-prof-dir'] ? { cpuProfileDir: values['cpu-prof-dir'] } : {}),
    progress: (line) => process.stderr.write(line + '\n'),
  });
  process.stdout.write((values.json ? toJson(result) : formatReport(result)) + '\n');
}

runMain('bench:probe', main);
