/** Option parsers shared by the subcommands: each refuses bad input with a message that says why. */
import { InvalidArgumentError, Option } from 'commander';
import { defaultStoreChoice, parseStoreChoice } from '../store/open-store.ts';
import type { StoreChoice } from '../store/open-store.ts';

export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

export function listOption(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

/** `--store`: where rollups and events are kept (src/server/store/open-store.ts). */
export function storeOption(): Option {
  return new Option('--store <sqlite|postgres://…>', 'the store: "sqlite" (a file in --data) or a PostgreSQL URL, postgres://user@host:port/database[?schema=name] (default schema pulse; migrated on start)')
    .default(defaultStoreChoice, 'sqlite')
    .argParser((value: string): StoreChoice => {
      try {
        return parseStoreChoice(value);
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    });
}

// The hub's two guards against overload, offered by `pulse hub` and `pulse start` alike so an
// all-in-one install can tune what a standalone hub can (issue 18 items 2 and 10).
export function maxPendingPerSourceOption(): Option {
  return new Option('--max-pending-per-source <n>', 'connections per source address that may wait for their first request at once (beyond, refused)')
    .argParser(intOption('--max-pending-per-source', 1, 100_000))
    .default(256);
}

export function maxHeavyQueriesOption(): Option {
  return new Option('--max-heavy-queries <n>', 'API queries over a day (series, stability review) that may run at once; beyond, 503 QUERY_BUSY')
    .argParser(intOption('--max-heavy-queries', 1, 64))
    .default(2);
}
