/**
 * The `--bus <memory|redis://host:port>` option of `pulse gateway` and `pulse hub`: which bus a
 * process publishes to or reads from. `memory` keeps everything in the process (what a lone
 * gateway or hub did before); a Redis URL joins gateways and hubs running apart.
 *
 * The stream is `pulse:telemetry` unless `PULSE_BUS_STREAM` names another: two Pulse installations
 * (or test runs) can share one Redis without reading each other's fleets.
 */
import { InvalidArgumentError, Option } from 'commander';
import { createRedisBus, DEFAULT_STREAM, type RedisBus } from './redis-bus.ts';
import { describeRedisUrl, type RedisBusLogger } from './redis-connection.ts';

export type BusChoice = { kind: 'memory' } | { kind: 'redis'; url: string };

export function parseBusOption(value: string): BusChoice {
  if (value === 'memory') return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected "memory" or a Redis URL like redis://127.0.0.1:6379');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new InvalidArgumentError(`expected "memory" or a redis:// (or rediss://) URL, not ${url.protocol}//…`);
  if (!url.hostname) throw new InvalidArgumentError('the Redis URL needs a host, e.g. redis://127.0.0.1:6379');
  return { kind: 'redis', url: value };
}

/** The commander option, shared so both commands say the same thing. */
export function busOption(what: string): Option {
  return new Option('--bus <memory|redis-url>', `telemetry bus: "memory" (this process only) or a Redis URL (${what} via the stream ${DEFAULT_STREAM}, or $PULSE_BUS_STREAM)`)
    .argParser(parseBusOption)
    .default({ kind: 'memory' } satisfies BusChoice, 'memory');
}

export function busStream(): string {
  return process.env.PULSE_BUS_STREAM || DEFAULT_STREAM;
}

/** The Redis bus the option asks for, or null for `memory` (the command keeps its in-process bus). */
export function openChosenRedisBus(choice: BusChoice, logger: RedisBusLogger): RedisBus | null {
  return choice.kind === 'redis' ? createRedisBus({ url: choice.url, stream: busStream(), logger }) : null;
}

/** For the lines a command prints at start: never the password. */
export function describeBus(choice: BusChoice): string {
  return choice.kind === 'memory' ? 'in memory (this process only)' : `redis ${describeRedisUrl(choice.url)}, stream ${busStream()}`;
}
