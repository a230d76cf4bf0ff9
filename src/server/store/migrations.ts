/**
 * The SQLite schema, as an append-only list of migrations. A data folder outlives the code that
 * wrote it, so a file is brought up to date step by step on open, each step in its own transaction
 * together with its row in `schema_version` — a crash mid-upgrade leaves the file at a known step.
 * Never edit a migration that has shipped; add the next one.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './store-errors.ts';

export type Migration = { version: number; name: string; sql: string };

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'minutes, events, terminals, meta',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- The figures live in JSON so that a new counter needs no migration; the store only merges them.
      CREATE TABLE minutes (
        rid TEXT NOT NULL,
        minute INTEGER NOT NULL,
        counters TEXT NOT NULL,
        gauges TEXT NOT NULL,
        histograms TEXT NOT NULL,
        PRIMARY KEY (rid, minute)
      ) WITHOUT ROWID;
      CREATE INDEX minutes_by_minute ON minutes (minute);

      -- id is the insertion order, the tie-breaker between events of the same millisecond.
      -- body is the whole event as JSON, so a field added to the protocol round-trips untouched.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        t INTEGER NOT NULL,
        type TEXT NOT NULL,
        rid TEXT,
        tid TEXT,
        body TEXT NOT NULL
      );
      CREATE INDEX events_by_t ON events (t);
      CREATE INDEX events_by_tid ON events (tid, t);
      CREATE INDEX events_by_rid ON events (rid, t);

      -- Who the expected terminals are, without scanning a week of events.
      CREATE TABLE terminals (
        tid TEXT PRIMARY KEY,
        rid TEXT NOT NULL,
        last_seen INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX terminals_by_last_seen ON terminals (last_seen);
    `,
  },
  {
    version: 2,
    name: 'terminals.last_close',
    // A terminal's latest close, so a restarted hub still counts its next open as a reconnect
    // (DESIGN.md: within 10 min of a close). Filled in from the events the file already holds.
    sql: `
      ALTER TABLE terminals ADD COLUMN last_close INTEGER;
      UPDATE terminals SET last_close = (SELECT max(t) FROM events WHERE events.tid = terminals.tid AND events.type = 'close');
    `,
  },
  {
    version: 3,
    name: 'terminals keyed by (rid, tid)',
    // A terminal is (rid, tid): real fleets name tills per restaurant, and a tid-keyed row made two
    // restaurants' till-1 one terminal (issue 18, item 3). Rebuilt from the events (one row per
    // restaurant that had the id, each with its own latest sighting and close), then the old rows
    // the events no longer cover (events are kept 7 days, terminals 30) — each old row was its
    // latest sighting's restaurant, so it is right for that pair.
    sql: `
      CREATE TABLE terminals_by_rid (
        rid TEXT NOT NULL,
        tid TEXT NOT NULL,
        last_seen INTEGER NOT NULL,
        last_close INTEGER,
        PRIMARY KEY (rid, tid)
      ) WITHOUT ROWID;
      INSERT INTO terminals_by_rid (rid, tid, last_seen, last_close)
        SELECT rid, tid, max(t), max(CASE WHEN type = 'close' THEN t END) FROM events
        WHERE rid IS NOT NULL AND tid IS NOT NULL GROUP BY rid, tid;
      INSERT OR IGNORE INTO terminals_by_rid (rid, tid, last_seen, last_close) SELECT rid, tid, last_seen, last_close FROM terminals;
      DROP TABLE terminals;
      ALTER TABLE terminals_by_rid RENAME TO terminals;
      CREATE INDEX terminals_by_last_seen ON terminals (last_seen);
      -- A terminal's events by (tid, rid): the bare id's prefix still serves the old URL's lookups.
      DROP INDEX events_by_tid;
      CREATE INDEX events_by_terminal ON events (tid, rid, t);
    `,
  },
  {
    version: 4,
    name: 'silences',
    // Silences made through the API (issue 14), kept with the fleet's data so they survive a hub
    // restart. A lifted one keeps its row (deleted_at, deleted_by): who lifted what is worth keeping.
    sql: `
      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        rule TEXT,
        rid TEXT,
        tag TEXT,
        from_t INTEGER,
        until_t INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        why TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        deleted_at INTEGER,
        deleted_by TEXT
      );
      CREATE INDEX silences_by_until ON silences (until_t);
    `,
  },
  {
    version: 5,
    name: 'hours',
    // The restaurant-hour tier (src/core/hour-tier.ts), kept 400 days: rows like minutes' (and in
    // the same compact layout, row-codec.ts). A rowid table, unlike minutes: an hour's merged
    // histograms run past a kilobyte, which a WITHOUT ROWID row on a 4 KB page would spill into an
    // overflow page of its own (measured: 4.7 KB on disk per 1.3 KB row). How far the roll-up has
    // gone is a meta row written with each batch of hours.
    sql: `
      CREATE TABLE hours (
        id INTEGER PRIMARY KEY,
        rid TEXT NOT NULL,
        hour INTEGER NOT NULL,
        counters TEXT NOT NULL,
        gauges TEXT NOT NULL,
        histograms BLOB NOT NULL
      );
      CREATE UNIQUE INDEX hours_key ON hours (rid, hour);
      CREATE INDEX hours_by_hour ON hours (hour, rid);
    `,
  },
];

export type MigrationResult = { from: number; to: number };

/** The version the file is at; 0 for a file that has never been migrated. */
export function schemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Brings the file up to the last migration of `list`; refuses a file newer than this code. */
export function applyMigrations(db: Database.Database, list: readonly Migration[], now: number): MigrationResult {
  const from = schemaVersion(db);
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0);
  if (from > latest) {
    throw new StoreError('STORE_SCHEMA_TOO_NEW', `file is at schema ${from}, this Pulse knows up to ${latest}`);
  }
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
