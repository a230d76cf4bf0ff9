/**
 * What only the PostgreSQL store has: its schema and migrations, day partitions and retention by
 * dropping them, the per-schema lock, and its errors. The Store contract itself is tested on both
 * engines by the suites beside sqlite-store.ts (describeEachEngine).
 */
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.ts';
import { floorHour } from '../../../core/hour-tier.ts';
import { DAY_MS } from '../store.ts';
import { pgAdmin, pgTestUrl, postgresEngine, describePostgres } from '../test-helpers/engines.ts';
import type { EngineOpenOptions, StorePlace } from '../test-helpers/engines.ts';
import { MINUTE, T0, minuteRow, openEvent } from '../test-helpers/fixtures.ts';
import { openPostgresStore } from './pg-store.ts';
import { pgMigrations } from './pg-migrations.ts';
import { partitionName } from './pg-partitions.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function place(): Promise<StorePlace & { schema: string }> {
  const p = await postgresEngine.newPlace();
  cleanups.push(p.remove);
  return { ...p, schema: new URL(p.spec).searchParams.get('schema')! };
}

async function openIn(p: StorePlace, now = T0, options: EngineOpenOptions = {}) {
  const opened = await p.open({ clock: new FakeClock(now), ...options });
  let closed = false;
  cleanups.push(() => (closed ? undefined : opened.store.close()));
  return { ...opened, close: () => ((closed = true), opened.store.close()) };
}

const partitionsOf = async (schema: string, table: string) =>
  (
    await pgAdmin<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = $2 ORDER BY 1`,
      [schema, table],
    )
  ).map((r) => r.name);

describePostgres('PostgreSQL store', () => {
  it('migrates a fresh schema to the latest version on open, and not again on reopen', async () => {
    const p = await place();
    const first = await openIn(p);
    expect(first.recovered).toEqual({ cleanShutdown: true, freshFile: true });
    await first.store.writeMinutes([minuteRow('r-001', T0)]);
    await first.close();
    const second = await openIn(p);
    expect(second.recovered).toEqual({ cleanShutdown: true, freshFile: false, lastWriteAt: T0, lastMinute: T0 });
    const versions = await pgAdmin(`SELECT version, name FROM "${p.schema}".schema_version ORDER BY version`);
    expect(versions).toEqual(pgMigrations.map((m) => ({ version: m.version, name: m.name })));
  });

  it('refuses a schema written by a newer Pulse', async () => {
    const p = await place();
    await (await openIn(p)).close();
    await pgAdmin(`INSERT INTO "${p.schema}".schema_version VALUES (999, 'future', 0)`);
    await expect(p.open()).rejects.toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW' });
  });

  it('knows a run that ended without close() was not clean', async () => {
    const p = await place();
    const first = await openIn(p);
    await first.store.writeEvents([openEvent(T0, 'r-001-t1')]);
    await first.close();
    // What kill -9 leaves: the marker armed at open, never reset by a close.
    await pgAdmin(`UPDATE "${p.schema}".meta SET value = '0' WHERE key = 'clean_shutdown'`);
    const second = await openIn(p);
    expect(second.recovered).toEqual({ cleanShutdown: false, freshFile: false, lastWriteAt: T0 });
  });

  it('writes into a partition per day (and makes the next day\'s ahead), and retention drops whole days', async () => {
    const p = await place();
    const { store } = await openIn(p, T0, { retention: { minutesMs: 30 * DAY_MS } });
    const day0 = Math.floor(T0 / DAY_MS) * DAY_MS;
    await store.writeMinutes([minuteRow('r-001', day0), minuteRow('r-001', day0 + DAY_MS - MINUTE), minuteRow('r-001', day0 + 2 * DAY_MS)]);
    const day = (k: number) => Math.floor(day0 / DAY_MS) + k;
    expect(await partitionsOf(p.schema, 'minutes')).toEqual([0, 2, 3].map((k) => partitionName('minutes', day(k))));
    expect(partitionName('minutes', day(0))).toMatch(/^minutes_2023111[45]$/);

    // 30 days after day 1 began: day 0 is wholly past the cutoff, day 2 is not.
    const counts = await store.retention(day0 + DAY_MS + 30 * DAY_MS);
    expect(counts.minutes).toBe(2);
    expect(await partitionsOf(p.schema, 'minutes')).toEqual([2, 3].map((k) => partitionName('minutes', day(k))));
    // Day 0's minutes are gone, their hours are not (a long window reads hours, each standing for
    // its 60 minutes); a short window still reads day 2's minute.
    expect(await store.readMinutes({ from: 0, to: Infinity })).toEqual([day0, floorHour(day0 + DAY_MS - MINUTE), day0 + 2 * DAY_MS].map((h) => ({ ...minuteRow('r-001', h), spanMinutes: 60 })));
    expect(await store.readMinutes({ from: day0 + 2 * DAY_MS, to: day0 + 2 * DAY_MS + MINUTE })).toEqual([minuteRow('r-001', day0 + 2 * DAY_MS)]);
    // Writing into a day dropped meanwhile makes it again — and merges into its hour row.
    await store.writeMinutes([minuteRow('r-002', day0)]);
    expect((await store.readMinutes({ rids: ['r-002'], from: 0, to: Infinity })).length).toBe(1);
  });

  it('writes into a partition another process dropped meanwhile', async () => {
    const p = await place();
    const { store } = await openIn(p);
    await store.writeEvents([openEvent(T0, 'r-001-t1')]);
    await pgAdmin(`DROP TABLE "${p.schema}"."${partitionName('events', Math.floor(T0 / DAY_MS))}"`);
    await store.writeEvents([openEvent(T0 + 1, 'r-001-t1')]);
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual([openEvent(T0 + 1, 'r-001-t1')]);
  });

  it('lets one Pulse at a time open a schema (STORE_LOCKED), and frees it on close', async () => {
    const p = await place();
    const first = await openIn(p);
    await expect(p.open()).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await first.close();
    await (await openIn(p)).close();
  });

  it('fails STORE_UNREACHABLE when nothing listens, with the target but never the password in the message', async () => {
    const opening = openPostgresStore({ url: 'postgres://pulse:s3cret@127.0.0.1:1/test', connectTimeoutMs: 1_000 });
    await expect(opening).rejects.toMatchObject({ code: 'STORE_UNREACHABLE' });
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openPostgresStore({ url: `${pgTestUrl}?schema=a;drop` })).rejects.toThrow(/letters, digits and _/);
  });
});
