/**
 * Every store test runs against both engines: `describeEachEngine(title, (engine) => …)` repeats a
 * suite for SQLite (a temp folder per place) and PostgreSQL (a schema `pulse_test_<random>` per
 * place in database `test` at 127.0.0.1:5432, user $PGUSER or postgres, dropped afterwards — so
 * test files may run in parallel). Without a reachable PostgreSQL the PostgreSQL suites fail under
 * CI=true and are skipped elsewhere, with the reason in the suite's name.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import type { Clock } from '../../../core/clock.ts';
import { openPostgresStore } from '../postgres/pg-store.ts';
import { openSqliteStore } from '../sqlite-store.ts';
import { DAY_MS } from '../store.ts';
import type { MergeHistogram, RetentionPolicy, Store, StoreRecovery, TierOptions } from '../store.ts';
import { makeTempDir } from './temp-dir.ts';

export type EngineName = 'sqlite' | 'postgres';

export type EngineOpenOptions = {
  clock?: Clock;
  mergeHistogram?: MergeHistogram;
  retention?: Partial<RetentionPolicy>;
  tiers?: Partial<TierOptions>;
  /** SQLite only: rows per retention transaction. */
  retentionChunk?: number;
};

export interface StorePlace {
  /** Opens (or, after a close, reopens) the store kept in this place. */
  open(options?: EngineOpenOptions): Promise<{ store: Store; recovered: StoreRecovery }>;
  /** The CLI's --store value for this place (SQLite: the data folder). */
  readonly spec: string;
  /** Deletes the place; close its stores first. */
  remove(): Promise<void>;
}

export interface StoreEngine {
  name: EngineName;
  /** Retention deletes what is older than its cutoff rounded down to this: whole day partitions in PostgreSQL. */
  retentionGranularityMs: number;
  newPlace(): Promise<StorePlace>;
}

export const pgTestUrl = `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`;

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgTestUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || String((error as { code?: string }).code) : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
export const postgresUnreachable = await probePostgres();

/** Runs `sql` on database `test` outside any store (dropping schemas, reading catalogs). */
export async function pgAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: pgTestUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export const sqliteEngine: StoreEngine = {
  name: 'sqlite',
  retentionGranularityMs: 1,
  async newPlace() {
    const tmp = makeTempDir();
    return {
      spec: tmp.dir,
      open: (o = {}) => openSqliteStore({ dataDir: tmp.dir, ...o }),
      remove: async () => tmp.remove(),
    };
  },
};

const withoutChunk = (o: EngineOpenOptions): Omit<EngineOpenOptions, 'retentionChunk'> => {
  const copy = { ...o };
  delete copy.retentionChunk;
  return copy;
};

export const postgresEngine: StoreEngine = {
  name: 'postgres',
  retentionGranularityMs: DAY_MS,
  async newPlace() {
    const schema = `pulse_test_${crypto.randomBytes(6).toString('hex')}`;
    return {
      spec: `${pgTestUrl}?schema=${schema}`,
      open: (o = {}) => openPostgresStore({ url: pgTestUrl, schema, ...withoutChunk(o) }),
      remove: async () => void (await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
    };
  },
};

/** `describe` once per engine, named `<title> [sqlite]` and `<title> [postgres]`. */
export function describeEachEngine(title: string, body: (engine: StoreEngine) => void): void {
  describe(`${title} [sqlite]`, () => body(sqliteEngine));
  describePostgres(`${title} [postgres]`, () => body(postgresEngine));
}

/** A suite that needs PostgreSQL: fails under CI=true when it is unreachable, skips with the reason elsewhere. */
export function describePostgres(title: string, body: () => void): void {
  if (postgresUnreachable === undefined) describe(title, body);
  else if (process.env.CI === 'true') {
    describe(title, () => {
      it('needs PostgreSQL at 127.0.0.1:5432 (database test)', () => {
        throw new Error(`PostgreSQL is unreachable (${postgresUnreachable}); under CI=true the PostgreSQL store tests must run`);
      });
    });
  } else describe.skip(`${title} — skipped: PostgreSQL at 127.0.0.1:5432 database test unreachable (${postgresUnreachable}); CI=true makes this a failure`, body);
}
