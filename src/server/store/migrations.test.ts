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

const v2: Migration = { version: 2, name: 'note on minutes', sql: "ALTER TABLE minutes ADD COLUMN note TEXT NOT NULL DEFAULT ''" };

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
    expect(applyMigrations(db, [...migrations, v2], 2)).toEqual({ from: 1, to: 2 });
    expect(db.prepare('SELECT rid, note FROM minutes').all()).toEqual([{ rid: 'r-001', note: '' }]);
    expect(db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all()).toEqual([
      { version: 1, applied_at: 1 },
      { version: 2, applied_at: 2 },
    ]);
    // Applying again is a no-op.
    expect(applyMigrations(db, [...migrations, v2], 3)).toEqual({ from: 2, to: 2 });
  });

  it('leaves the file at the last good step when a migration fails', () => {
    const db = rawFile().reopen();
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT nope FROM nowhere;' };
    expect(() => applyMigrations(db, [...migrations, broken], 1)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
  });

  it('refuses a file newer than the code', () => {
    const db = rawFile().reopen();
    applyMigrations(db, [...migrations, v2], 1);
    expect(() => applyMigrations(db, migrations, 2)).toThrow(expect.objectContaining({ code: 'STORE_SCHEMA_TOO_NEW' }));
  });
});
