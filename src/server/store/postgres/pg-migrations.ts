/**
 * The PostgreSQL schema, as an append-only list of migrations run on every start — the twin of
 * ../migrations.ts. Each step commits with its row in `schema_version`; an advisory lock makes two
 * hubs starting at once take turns instead of both applying a step. Never edit a shipped step.
 *
 * Rollups and events live in tables partitioned by day (pg-partitions.ts makes the partitions as
 * writes need them), so that retention drops whole days instead of deleting row by row.
 */
import type pg from 'pg';
import { StoreError } from '../store-errors.ts';

export type PgMigration = { version: number; name: string; sql: string };

export const pgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    name: 'minutes and events partitioned by day, terminals, meta',
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

      -- JSON figures, as in SQLite: a new counter needs no migration; the store only merges them.
      CREATE TABLE minutes (
        rid text NOT NULL,
        minute bigint NOT NULL,
        counters jsonb NOT NULL,
        gauges jsonb NOT NULL,
        histograms jsonb NOT NULL,
        PRIMARY KEY (rid, minute)
      ) PARTITION BY RANGE (minute);
      CREATE INDEX minutes_by_minute ON minutes (minute);

      -- id is the insertion order (reserved per batch, see pg-write.ts), the tie-breaker within a
      -- millisecond. t is float8 because the protocol's t is any finite number of ms. gw and conn
      -- are copies out of body for the open-connections query; body is the event as sent.
      CREATE SEQUENCE events_id_seq AS bigint;
      CREATE TABLE events (
        id bigint NOT NULL,
        t double precision NOT NULL,
        type text NOT NULL,
        rid text,
        tid text,
        gw text,
        conn text,
        body json NOT NULL
      ) PARTITION BY RANGE (t);
      CREATE INDEX events_by_t ON events (t, id);
      CREATE INDEX events_by_tid ON events (tid, t);
      CREATE INDEX events_by_rid ON events (rid, t);

      CREATE TABLE terminals (
        tid text PRIMARY KEY,
        rid text NOT NULL,
        last_seen double precision NOT NULL,
        last_close double precision
      );
      CREATE INDEX terminals_by_last_seen ON terminals (last_seen);
    `,
  },
  {
    version: 2,
    name: 'terminals keyed by (rid, tid)',
    // The twin of SQLite's step 3 (../migrations.ts): a terminal is (rid, tid), issue 18 item 3.
    // One row per restaurant that had the id, from the events; then the old rows the events no
    // longer cover (each was its latest sighting's restaurant, so right for that pair).
    sql: `
      CREATE TABLE terminals_by_rid (
        rid text NOT NULL,
        tid text NOT NULL,
        last_seen double precision NOT NULL,
        last_close double precision,
        PRIMARY KEY (rid, tid)
      );
      INSERT INTO terminals_by_rid (rid, tid, last_seen, last_close)
        SELECT rid, tid, max(t), max(t) FILTER (WHERE type = 'close') FROM events
        WHERE rid IS NOT NULL AND tid IS NOT NULL GROUP BY rid, tid;
      INSERT INTO terminals_by_rid (rid, tid, last_seen, last_close) SELECT rid, tid, last_seen, last_close FROM terminals
        ON CONFLICT (rid, tid) DO NOTHING;
      DROP TABLE terminals;
      ALTER TABLE terminals_by_rid RENAME TO terminals;
      ALTER TABLE terminals RENAME CONSTRAINT terminals_by_rid_pkey TO terminals_pkey;
      CREATE INDEX terminals_by_last_seen ON terminals (last_seen);
      DROP INDEX events_by_tid;
      CREATE INDEX events_by_terminal ON events (tid, rid, t);
    `,
  },
  {
    version: 3,
    name: 'silences',
    // The twin of SQLite's step 4 (../migrations.ts): silences made through the API (issue 14).
    sql: `
      CREATE TABLE silences (
        id text PRIMARY KEY,
        rule text,
        rid text,
        tag text,
        from_t double precision,
        until_t double precision NOT NULL,
        created_by text NOT NULL,
        why text NOT NULL,
        created_at double precision NOT NULL,
        deleted_at double precision,
        deleted_by text
      );
      CREATE INDEX silences_by_until ON silences (until_t);
    `,
  },
  {
    version: 4,
    name: 'hours; compact minutes',
    // The twin of SQLite's step 5: the restaurant-hour tier (src/core/hour-tier.ts), partitioned by
    // 30-day spans (pg-partitions.ts) since it is kept 400 days. And the compact row layout
    // (../row-codec.ts): histograms as bytes in \`hist\`; rows written before keep theirs in the
    // jsonb column, which new rows leave NULL.
    sql: `
      CREATE TABLE hours (
        rid text NOT NULL,
        hour bigint NOT NULL,
        counters jsonb NOT NULL,
        gauges jsonb NOT NULL,
        hist bytea NOT NULL,
        PRIMARY KEY (rid, hour)
      ) PARTITION BY RANGE (hour);
      CREATE INDEX hours_by_hour ON hours (hour);
      ALTER TABLE minutes ADD COLUMN hist bytea;
      ALTER TABLE minutes ALTER COLUMN histograms DROP NOT NULL;
    `,
  },
];

/** Advisory lock key (first half) of everything the Pulse store serializes; the second half is the schema's hash. */
export const lockClass = 0x50554c53; // "PULS"

export type PgMigrationResult = { from: number; to: number; freshSchema: boolean };

/**
 * Creates the schema if needed and brings it to the last migration of `list`, on `client` (whose
 * search_path is the schema). Refuses a schema newer than this code.
 */
export async function applyPgMigrations(client: pg.PoolClient, schema: string, list: readonly PgMigration[], now: number): Promise<PgMigrationResult> {
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0);
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [lockClass, schema]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const existed = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_version'",
      [schema],
    );
    const freshSchema = existed.rows[0]!.n === 0;
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const from = rows[0]?.v ?? 0;
    if (from > latest) throw new StoreError('STORE_SCHEMA_TOO_NEW', `schema "${schema}" is at version ${from}, this Pulse knows up to ${latest}`);
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (m.version <= from) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return { from, to: Math.max(from, latest), freshSchema };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [lockClass, schema]);
  }
}

/** A schema or table name as SQL: always quoted, so no name can be read as SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
