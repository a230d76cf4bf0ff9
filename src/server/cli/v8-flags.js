/**
 * The V8 flags a gateway process runs with, and which `pulse` commands need them.
 *
 * Plain JavaScript (typed by v8-flags.d.ts) because bin/pulse.js reads it before tsx is registered:
 * the process that relaunches node with these flags stays a small wrapper that only waits.
 * The gateway bench starts its gateway child with the same constant, so it measures the gateway
 * as deployed.
 */

/**
 * V8's young generation (semi-spaces) grows with the allocation rate up to 16 MiB per semi-space
 * by default in Node 20, and stays resident: under 19,000 terminals it grew by +29 MiB, 1.5 KB per
 * connection, which put raw RSS at 6.60 KB per connection (target ≤ 6 KB). Short-lived objects of
 * a ping (frame, parsed message, pong) die within the ping, so a small nursery holds them as well;
 * it only scavenges more often.
 *
 * Measured with bench:gateway, 19,000 terminals, probe on (one run each; CPU moves ±10 % between
 * runs): 1 MiB → young gen +1.7 MiB, raw 5.31 KB/conn, CPU 7.87 %; 2 MiB → +3.7 MiB, 5.45 KB,
 * 6.97 %; 4 MiB → +7.7 MiB, 6.00 KB (at the target), 7.19 %; default (16) → +29 MiB, 6.60 KB,
 * 6.75 %. 2 MiB leaves ~0.5 KB/conn of margin with no CPU cost we could tell from noise.
 */
export const semiSpaceMiB = 2;

/** Node/V8 options of every process that runs a gateway: `pulse gateway`, `pulse start`, the bench's gateway child. */
export const gatewayV8Flags = Object.freeze([`--max-semi-space-size=${semiSpaceMiB}`]);

/** Commands whose process runs a gateway. */
export const commandsWithGatewayFlags = Object.freeze(['gateway', 'start']);

/** Set in the relaunched process's environment: it has the flags, and must not relaunch again. */
export const relaunchedMarker = 'PULSE_V8_FLAGS_SET';

/**
 * The node arguments to relaunch with, or null to run here: the command runs no gateway, the
 * flags are there already (given by hand or in NODE_OPTIONS), or this process is the relaunch.
 * `argv` is process.argv ([node, script, command, …]); `--help` is answered without a relaunch.
 *
 * @param {readonly string[]} argv
 * @param {readonly string[]} execArgv
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {string[] | null}
 */
export function relaunchArgs(argv, execArgv, env) {
  const command = argv[2];
  if (command === undefined || !commandsWithGatewayFlags.includes(command)) return null;
  if (argv.includes('--help') || argv.includes('-h')) return null;
  if (env[relaunchedMarker]) return null;
  // V8 takes --max_semi_space_size as well as --max-semi-space-size.
  const name = (/** @type {string} */ flag) => flag.split('=')[0].replaceAll('_', '-');
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map(name);
  const missing = gatewayV8Flags.filter((flag) => !given.includes(name(flag)));
  if (missing.length === 0) return null;
  return [...missing, ...execArgv, ...argv.slice(1)];
}
