/**
 * Which store a process runs on, as `--store` says: the embedded SQLite file under the data folder
 * (the default) or a PostgreSQL database (`postgres://…`). Commands and pipelines open their store
 * here and never name an engine themselves.
 */
import type { Clock } from '../../core/clock.ts';
import { describePostgresUrl, openPostgresStore, schemaOf } from './postgres/pg-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { RetentionPolicy, Store, StoreLogger, StoreRecovery } from './store.ts';

/** Which engine, and how long it keeps each tier (`--minutes-retention` …; the store's defaults otherwise). */
export type StoreChoice = ({ kind: 'sqlite' } | { kind: 'postgres'; url: string }) & { retention?: Partial<RetentionPolicy> };

export const defaultStoreChoice: StoreChoice = { kind: 'sqlite' };

/** `sqlite`, or a postgres:// / postgresql:// URL (optionally `?schema=name`); throws with a reason otherwise. */
export function parseStoreChoice(value: string): StoreChoice {
  if (value === 'sqlite') return defaultStoreChoice;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error('--store must be "sqlite" or a postgres://user@host:port/database URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--store: "${describeUnparsable(value)}" is not a URL`);
  }
  if (!url.hostname) throw new Error('--store: the PostgreSQL URL needs a host');
  schemaOf(value); // refuses a bad ?schema= now rather than at open
  return { kind: 'postgres', url: value };
}

// The value may hold a password; show only what comes before it.
const describeUnparsable = (value: string) => value.replace(/:[^:@/]*@/, ':…@');

/** For banners and logs: never a password. */
export function describeStore(choice: StoreChoice, dataDir: string): string {
  return choice.kind === 'sqlite' ? `SQLite in ${dataDir}` : `PostgreSQL ${describePostgresUrl(choice.url)} schema ${schemaOf(choice.url)}`;
}

export async function openChosenStore(choice: StoreChoice, o: { dataDir: string; clock?: Clock; logger?: StoreLogger }): Promise<{ store: Store; recovered: StoreRecovery }> {
  const common = { ...(o.clock ? { clock: o.clock } : {}), ...(o.logger ? { logger: o.logger } : {}), ...(choice.retention ? { retention: choice.retention } : {}) };
  if (choice.kind === 'postgres') return openPostgresStore({ url: choice.url, ...common });
  return openSqliteStore({ dataDir: o.dataDir, ...common });
}
