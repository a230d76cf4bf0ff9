/**
 * A terminal is (rid, tid) in the store (issue 18, item 3): two restaurants that each name a till
 * `till-1` keep two terminals — each its own sighting, last close, events and open connections —
 * on both engines; and a file or schema written before keeps its terminals through the migration.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { applyMigrations, migrations } from './migrations.ts';
import { applyPgMigrations, pgMigrations } from './postgres/pg-migrations.ts';
import { partitionName, dayOf } from './postgres/pg-partitions.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { DAY_MS } from './store.ts';
import { describeEachEngine, describePostgres, pgTestUrl, postgresEngine, type StoreEngine } from './test-helpers/engines.ts';
import { T0 } from './test-helpers/fixtures.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const open = (rid: string, tid: string, t: number, conn: string, gw = 'gw-1'): LifecycleEvent => ({ type: 'open', gw, t, rid, tid, conn, via: 'subprotocol' });
const close = (rid: string, tid: string, t: number, conn: string, gw = 'gw-1'): LifecycleEvent => ({
  type: 'close', gw, t, rid, tid, conn, code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 10,
});

async function openOn(engine: StoreEngine) {
  const place = await engine.newPlace();
  cleanups.push(place.remove);
  const opened = await place.open({ clock: new FakeClock(T0) });
  cleanups.push(() => opened.store.close());
  return opened.store;
}

describeEachEngine('a till-1 in each of two restaurants', (engine) => {
  it('is two terminals: its own sighting, last close, events and open connections each', async () => {
    const store = await openOn(engine);
    await store.writeEvents([
      open('r-a', 'till-1', T0, 'a1', 'gw-a'),
      open('r-b', 'till-1', T0 + 10, 'b1', 'gw-b'),
      close('r-a', 'till-1', T0 + 100, 'a1', 'gw-a'),
      open('r-a', 'till-1', T0 + 200, 'a2', 'gw-a'),
    ]);
    // A later batch of r-b's does not move r-a's till-1 (it did when the id was the key).
    await store.writeEvents([close('r-b', 'till-1', T0 + 300, 'b1', 'gw-b')]);

    const known = await store.knownTerminals(0);
    expect(known.size).toBe(2);
    expect(known.get(terminalKey('r-a', 'till-1'))).toEqual({ rid: 'r-a', tid: 'till-1', lastSeen: T0 + 200, lastClose: T0 + 100 });
    expect(known.get(terminalKey('r-b', 'till-1'))).toEqual({ rid: 'r-b', tid: 'till-1', lastSeen: T0 + 300, lastClose: T0 + 300 });

    const of = async (rid: string) => (await store.readEvents({ rid, tid: 'till-1', from: 0, to: Infinity })).map((e) => [e.type, e.t - T0]);
    expect(await of('r-a')).toEqual([['open', 0], ['close', 100], ['open', 200]]);
    expect(await of('r-b')).toEqual([['open', 10], ['close', 300]]);
    // The bare id still reads both (the API resolves it to one restaurant first).
    expect(await store.readEvents({ tid: 'till-1', from: 0, to: Infinity })).toHaveLength(5);

    // r-a's a2 is open; r-b's close does not close it, nor r-a's last close hide r-b's open.
    expect((await store.openConnections(0)).map((o) => [o.rid, o.conn])).toEqual([['r-a', 'a2']]);
  });

  it('forgets one restaurant\'s till-1 at retention, not the other\'s', async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const now = T0 + 40 * DAY_MS;
    const { store } = await place.open({ clock: new FakeClock(now), retention: { terminalsMs: 30 * DAY_MS, eventsMs: 60 * DAY_MS, minutesMs: 60 * DAY_MS } });
    cleanups.push(() => store.close());
    await store.writeEvents([open('r-a', 'till-1', T0, 'a1')]);
    await store.writeEvents([open('r-b', 'till-1', now - DAY_MS, 'b1')]);
    expect((await store.retention(now)).terminals).toBe(1);
    expect([...(await store.knownTerminals(0)).values()].map((k) => k.rid)).toEqual(['r-b']);
  });
});

it('SQLite: a file written with tid-keyed terminals (version 2) keeps every restaurant\'s terminal through version 3', async () => {
  const tmp = makeTempDir();
  cleanups.push(tmp.remove);
  const old = new Database(path.join(tmp.dir, 'pulse.db'));
  applyMigrations(old, migrations.filter((m) => m.version <= 2), 1);
  const event = old.prepare('INSERT INTO events (t, type, rid, tid, body) VALUES (?, ?, ?, ?, ?)');
  const rows: LifecycleEvent[] = [open('r-a', 'till-1', T0, 'a1'), close('r-a', 'till-1', T0 + 100, 'a1'), open('r-b', 'till-1', T0 + 200, 'b1')];
  for (const e of rows) event.run(e.t, e.type, 'rid' in e ? e.rid : null, 'tid' in e ? e.tid : null, JSON.stringify(e));
  // As the old code left them: one row for till-1 (its latest restaurant), and one whose events retention removed.
  old.prepare("INSERT INTO terminals (tid, rid, last_seen, last_close) VALUES ('till-1', 'r-b', ?, ?), ('old-9', 'r-c', ?, ?)").run(T0 + 200, T0 + 100, T0 - 5 * DAY_MS, T0 - 6 * DAY_MS);
  old.close();

  const { store } = await openSqliteStore({ dataDir: tmp.dir, clock: new FakeClock(T0 + 1000) });
  cleanups.push(() => store.close());
  const known = await store.knownTerminals(0);
  expect(Object.fromEntries(known)).toEqual({
    [terminalKey('r-a', 'till-1')]: { rid: 'r-a', tid: 'till-1', lastSeen: T0 + 100, lastClose: T0 + 100 },
    [terminalKey('r-b', 'till-1')]: { rid: 'r-b', tid: 'till-1', lastSeen: T0 + 200 },
    [terminalKey('r-c', 'old-9')]: { rid: 'r-c', tid: 'old-9', lastSeen: T0 - 5 * DAY_MS, lastClose: T0 - 6 * DAY_MS },
  });
  // And the new key takes writes: r-a's till-1 again does not touch r-b's.
  await store.writeEvents([open('r-a', 'till-1', T0 + 500, 'a2')]);
  expect((await store.knownTerminals(0)).get(terminalKey('r-b', 'till-1'))?.lastSeen).toBe(T0 + 200);
});

describePostgres('PostgreSQL: a schema written with tid-keyed terminals (version 1)', () => {
  it('keeps every restaurant\'s terminal through version 2', async () => {
    const place = await postgresEngine.newPlace();
    cleanups.push(place.remove);
    const schema = new URL(place.spec).searchParams.get('schema')!;
    const client = new pg.Client({ connectionString: pgTestUrl });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await applyPgMigrations(client as unknown as pg.PoolClient, schema, pgMigrations.filter((m) => m.version === 1), 1);
      const day = dayOf(T0);
      await client.query(`CREATE TABLE "${partitionName('events', day)}" PARTITION OF events FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`);
      const rows: LifecycleEvent[] = [open('r-a', 'till-1', T0, 'a1'), close('r-a', 'till-1', T0 + 100, 'a1'), open('r-b', 'till-1', T0 + 200, 'b1')];
      for (const [i, e] of rows.entries()) {
        await client.query('INSERT INTO events (id, t, type, rid, tid, gw, conn, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [i + 1, e.t, e.type, 'rid' in e ? e.rid : null, 'tid' in e ? e.tid : null, e.gw, 'conn' in e ? e.conn : null, JSON.stringify(e)]);
      }
      await client.query("SELECT setval('events_id_seq', 10)");
      await client.query("INSERT INTO terminals (tid, rid, last_seen, last_close) VALUES ('till-1', 'r-b', $1, $2), ('old-9', 'r-c', $3, $4)", [T0 + 200, T0 + 100, T0 - 5 * DAY_MS, T0 - 6 * DAY_MS]);
    } finally {
      await client.end();
    }

    const { store } = await place.open({ clock: new FakeClock(T0 + 1000) });
    cleanups.push(() => store.close());
    expect(Object.fromEntries(await store.knownTerminals(0))).toEqual({
      [terminalKey('r-a', 'till-1')]: { rid: 'r-a', tid: 'till-1', lastSeen: T0 + 100, lastClose: T0 + 100 },
      [terminalKey('r-b', 'till-1')]: { rid: 'r-b', tid: 'till-1', lastSeen: T0 + 200 },
      [terminalKey('r-c', 'old-9')]: { rid: 'r-c', tid: 'old-9', lastSeen: T0 - 5 * DAY_MS, lastClose: T0 - 6 * DAY_MS },
    });
    await store.writeEvents([open('r-a', 'till-1', T0 + 500, 'a2')]);
    expect((await store.knownTerminals(0)).get(terminalKey('r-b', 'till-1'))?.lastSeen).toBe(T0 + 200);
  });
});
