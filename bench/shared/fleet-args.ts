/**
 * The command line every fleet bench shares (bench:probe, bench:proxy): the options that shape the
 * fleet and its run, their bounds, and how a bench's main ends — written once so the benches take
 * the same flags with the same defaults and refuse the same bad values the same way.
 */

/** For `parseArgs({ options: { ...fleetOptions, …the bench's own } })`. */
export const fleetOptions = {
  repeat: { type: 'string' },
  duration: { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  ramp: { type: 'string' },
  'per-restaurant': { type: 'string' },
  'source-addresses': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface FleetSettings {
  repeat: number;
  durationS: number;
  heartbeatIntervalMs: number;
  rampPerSec: number;
  perRestaurant: number;
  sourceAddresses: number;
}

type FleetValues = Partial<Record<'repeat' | 'duration' | 'heartbeat-ms' | 'ramp' | 'per-restaurant' | 'source-addresses', string>>;

export function intArg(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function fleetSettings(values: FleetValues): FleetSettings {
  return {
    repeat: intArg('repeat', values.repeat, 1, 1, 20),
    durationS: intArg('duration', values.duration, 60, 1, 3600),
    heartbeatIntervalMs: intArg('heartbeat-ms', values['heartbeat-ms'], 15_000, 1000, 600_000),
    rampPerSec: intArg('ramp', values.ramp, 1000, 1, 20_000),
    perRestaurant: intArg('per-restaurant', values['per-restaurant'], 10, 1, 1000),
    sourceAddresses: intArg('source-addresses', values['source-addresses'], 64, 1, 60_000),
  };
}

/** Runs a bench's main: exit 0 when it is done (children and timers are not waited for), 1 with the stack when it failed. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
