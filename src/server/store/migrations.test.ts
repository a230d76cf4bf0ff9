import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, migrations, schemaVersion } from './migrations.ts';
import type { Migration } from './migrations.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function rawFile(): { file: string; reopen: () => Database.Database } {
  const tmp = makeTempDir();
  cleanups.push(tmp.remove);
  const file = path.join(tmp.dir, 'pulse.db');
  return {
    file,
    reopen: () => {
      const db = new Database(file);
      cleanups.unshift(() => db.close()); // closed before the folder goes
      return db;
    },
  };
}

/** The version after the last real one, for migrations made up by these tests. */
const latest = migrations.at(-1)!.version;
const next: Migration = { version: latest + 1, name: 'note on minutes', sql: "ALTER TABLE minutes ADD COLUMN note TEXT NOT NULL DEFAULT ''" };

describe('applyMigrations', () => {
  it('takes a fresh file from 0 to the latest version', () => {
    const db = rawFile().reopen();
    expect(applyMigrations(db, migrations, 42)).toEqual({ from: 0, to: migrations.at(-1)!.version });
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
  });

  it('upgrades an existing file step by step and keeps its rows', () => {
    const f = rawFile();
    const old = f.reopen();
    applyMigrations(old, migrations, 1);
    old.prepare("INSERT INTO minutes VALUES ('r-001', 60000, '{}', '{}', '{}')").run();
    old.close();

    const db = f.reopen();
    expect(applyMigrations(db, [...migrations, next], 2)).toEqual({ from: latest, to: latest + 1 });
    expect(db.prepare('SELECT rid, note FROM minutes').all()).toEqual([{ rid: 'r-001', note: '' }]);
    expect(db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all()).toEqual([
      ...migrations.map((m) => ({ version: m.version, applied_at: 1 })),
      { version: latest + 1, applied_at: 2 },
    ]);
    // Applying again is a no-op.
    expect(applyMigrations(db, [...migrations, next], 3)).toEqual({ from: latest + 1, to: latest + 1 });
  });

  it('leaves the file at the last good step when a migration fails', () => {
    const db = rawFile().reopen();
    const broken: Migration = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT nope FROM nowhere;' };
    expect(() => applyMigrations(db, [...migrations, broken], 1)).toThrow();
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
  });

  it('gives an existing file its terminals\' last close from the events it holds (version 2)', () => {
    const f = rawFile();
    const old = f.reopen();
    applyMigrations(old, migrations.filter((m) => m.version === 1), 1);
    const event = old.prepare('INSERT INTO events (t, type, rid, tid, body) VALUES (?, ?, ?, ?, ?)');
    for (const [t, type] of [[100, 'open'], [200, 'close'], [300, 'open'], [400, 'close'], [500, 'open']] as const) event.run(t, type, 'r-001', 'r-001-t1', '{}');
    event.run(100, 'open', 'r-001', 'r-001-t2', '{}');
    old.prepare("INSERT INTO terminals VALUES ('r-001-t1', 'r-001', 500), ('r-001-t2', 'r-001', 100)").run();
    old.close();

    const db = f.reopen();
    expect(applyMigrations(db, migrations, 2).from).toBe(1);
    expect(db.prepare('SELECT tid, last_close FROM terminals ORDER BY tid').all()).toEqual([
      { tid: 'r-001-t1', last_close: 400 },
      { tid: 'r-001-t2', last_close: null },
    ]);
  });

  it('refuses a file newer than the code', () => {
    const db = rawFile().reopen();
    applyMigrations(db, [...migrations, next], 1);
    expect(() => applyMigrations(db, migrations, 2)).toThrow(expect.objectContaining({ code: 'STORE_SCHEMA_TOO_NEW' }));
  });
});
