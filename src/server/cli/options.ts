/** Option parsers shared by the subcommands: each refuses bad input with a message that says why. */
import { InvalidArgumentError, Option } from 'commander';
import { defaultStoreChoice, parseStoreChoice } from '../store/open-store.ts';
import type { StoreChoice } from '../store/open-store.ts';
import { DAY_MS, defaultRetention, type RetentionPolicy } from '../store/store.ts';

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

// Retention per tier (docs/operations.md "Storage"): minutes are rolled into hours before they go.
const retentionTiers = {
  minutes: { flag: '--minutes-retention', what: 'days restaurant-minute rollups are kept (after that, their hours)', key: 'minutesMs' },
  hours: { flag: '--hours-retention', what: 'days restaurant-hour rollups are kept', key: 'hoursMs' },
  events: { flag: '--events-retention', what: 'days lifecycle events are kept (terminal timelines, replay)', key: 'eventsMs' },
} as const;

export type RetentionFlags = { minutesRetention: number; hoursRetention: number; eventsRetention: number };

export function retentionOption(tier: keyof typeof retentionTiers): Option {
  const { flag, what, key } = retentionTiers[tier];
  return new Option(`${flag} <days>`, what).argParser(intOption(flag, 1, 36_500)).default(defaultRetention[key] / DAY_MS);
}

/** The store's policy from the flags. */
export function retentionOf(flags: RetentionFlags): Partial<RetentionPolicy> {
  return { minutesMs: flags.minutesRetention * DAY_MS, hoursMs: flags.hoursRetention * DAY_MS, eventsMs: flags.eventsRetention * DAY_MS };
}
