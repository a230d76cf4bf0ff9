/**
 * Silences made through the API (issue 14, docs/alerts.md), kept beside the fleet's data in the
 * chosen store so that a restarted hub still holds what someone muted. The telemetry `Store`
 * interface stays as it is: a silence store opens its own connection to the same database, whose
 * table the store's migrations made (SQLite step 4, PostgreSQL step 3). This file: the interface,
 * the in-memory one (a hub without a data folder) and SQLite's; PostgreSQL's is
 * postgres/pg-silences.ts.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Silence } from '../../core/alerts/alert-rule.ts';
import { storeFileName } from './sqlite-store.ts';

export type StoredSilence = Silence & { id: string; createdAt: number };

export interface SilenceStore {
  /** Silences not lifted that end after `since`, soonest to end first. */
  current(since: number): Promise<StoredSilence[]>;
  add(silence: StoredSilence): Promise<void>;
  /** Lifts a silence; false when there is none of that id still in force at `at`. */
  lift(id: string, by: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A row of the `silences` table, in either engine (PostgreSQL's float8 comes back as a number). */
export type SilenceRow = { id: string; rule: string | null; rid: string | null; tag: string | null; from_t: number | null; until_t: number; created_by: string; why: string; created_at: number };

export const silenceColumns = 'id, rule, rid, tag, from_t, until_t, created_by, why, created_at';

export const rowOfSilence = (s: StoredSilence): unknown[] => [s.id, s.rule ?? null, s.rid ?? null, s.tag ?? null, s.from ?? null, s.until, s.by, s.why, s.createdAt];

export function silenceOfRow(r: SilenceRow): StoredSilence {
  return {
    id: r.id,
    ...(r.rule !== null ? { rule: r.rule } : {}),
    ...(r.rid !== null ? { rid: r.rid } : {}),
    ...(r.tag !== null ? { tag: r.tag } : {}),
    ...(r.from_t !== null ? { from: Number(r.from_t) } : {}),
    until: Number(r.until_t),
    by: r.created_by,
    why: r.why,
    createdAt: Number(r.created_at),
  };
}

export function memorySilenceStore(): SilenceStore {
  const all = new Map<string, StoredSilence>();
  return {
    current: async (since) => [...all.values()].filter((s) => s.until > since).sort((a, b) => a.until - b.until),
    async add(s) {
      all.set(s.id, s);
    },
    async lift(id, _by, at) {
      const s = all.get(id);
      if (!s || s.until <= at) return false;
      all.delete(id);
      return true;
    },
    async close() {},
  };
}

/**
 * The SQLite store's file in `dataDir` (pulse.db), on a connection of its own. Opened on first use:
 * by then the store has opened the file and run its migrations.
 */
export function sqliteSilenceStore(dataDir: string): SilenceStore {
  let db: Database.Database | undefined;
  const open = (): Database.Database => {
    if (db) return db;
    db = new Database(path.join(dataDir, storeFileName), { fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    return db;
  };
  return {
    async current(since) {
      const rows = open().prepare(`SELECT ${silenceColumns} FROM silences WHERE deleted_at IS NULL AND until_t > ? ORDER BY until_t, id`).all(since) as SilenceRow[];
      return rows.map(silenceOfRow);
    },
    async add(s) {
      open().prepare(`INSERT INTO silences (${silenceColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...rowOfSilence(s));
    },
    async lift(id, by, at) {
      return open().prepare('UPDATE silences SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL AND until_t > ?').run(at, by, id, at).changes > 0;
    },
    async close() {
      db?.close();
      db = undefined;
    },
  };
}
