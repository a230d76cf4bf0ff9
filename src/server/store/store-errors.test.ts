import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, fromSqliteError } from './store-errors.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('fromSqliteError', () => {
  it('maps a real full database to STORE_FULL', () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const db = new Database(path.join(tmp.dir, 'full.db'));
    cleanups.unshift(() => db.close());
    db.exec('CREATE TABLE t (b BLOB)');
    db.pragma('max_page_count = 8');
    const insert = db.prepare('INSERT INTO t VALUES (zeroblob(4096))');
    const error = caught(() => {
      for (let i = 0; i < 100; i++) insert.run();
    });
    const mapped = fromSqliteError(error);
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped.code).toBe('STORE_FULL');
    expect(mapped.driverCode).toBe('SQLITE_FULL');
  });

  it('maps a real read-only database to STORE_READONLY', () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const file = path.join(tmp.dir, 'ro.db');
    new Database(file).exec('CREATE TABLE t (x)');
    const db = new Database(file, { readonly: true });
    cleanups.unshift(() => db.close());
    expect(fromSqliteError(caught(() => db.exec('INSERT INTO t VALUES (1)'))).code).toBe('STORE_READONLY');
  });

  it('keeps a StoreError and calls anything unknown STORE_INTERNAL', () => {
    const original = new StoreError('STORE_CLOSED');
    expect(fromSqliteError(original)).toBe(original);
    expect(fromSqliteError(new Error('boom'))).toMatchObject({ code: 'STORE_INTERNAL', driverCode: undefined });
  });
});
