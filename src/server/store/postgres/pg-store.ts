/**
 * The PostgreSQL store (`--store postgres://…`): the same Store as the embedded SQLite one, in a
 * schema of its own (default `pulse`; `?schema=` in the URL picks another), migrated on open.
 *
 * Rollups and events are partitioned by day and retention drops whole days (pg-partitions.ts), so
 * it deletes at day granularity: a row is gone at the first run after its whole day is past the
 * cutoff — up to a day later than SQLite, never earlier. Terminals are few and deleted row by row.
 *
 * Calls go through a CallOrder (call-order.ts) so that, as with synchronous SQLite, each takes
 * effect in the order it was made. One session-level advisory lock per schema stands for SQLite's
 * data-folder lock: a second Pulse on the same schema is refused with STORE_LOCKED, and a process
 * killed with -9 releases it with its connection.
 */
import pg from 'pg';
import { systemClock } from '../../../core/clock.ts';
import type { Clock } from '../../../core/clock.ts';
import { mergeEncodedHistograms } from '../histogram-merge.ts';
import { StoreError } from '../store-errors.ts';
import { DAY_MS } from '../store.ts';
import { floorHour, minuteCutoff, rolledThrough, type RollupPosition } from '../../../core/hour-tier.ts';
import { defaultRetention, defaultTierOptions, silentLogger } from '../store.ts';
import type { MergeHistogram, RetentionPolicy, RollupCounts, Store, StoreLogger, StoreRecovery, TierOptions } from '../store.ts';
import { invalidEventReason, invalidMinuteReason } from '../validate-rows.ts';
import { createCallOrder } from './call-order.ts';
import { fromPgError } from './pg-errors.ts';
import { applyPgMigrations, lockClass, pgMigrations } from './pg-migrations.ts';
import { loadPartitions, noPartitionCode } from './pg-partitions.ts';
import type { PartitionedTable } from './pg-partitions.ts';
import { knownTerminals, openConnections, readClaimedAuthFailures, readEvents, readMeta } from './pg-read.ts';
import { isRolled, loadTierState, minutesFromKey, planRollBatch, readTieredMinutes, readTieredPage, writeRollBatch } from './pg-tiers.ts';
import { transaction, writeEventsBatch, writeMinutesBatch } from './pg-write.ts';

export type PostgresStoreOptions = {
  /** postgres://user[:password]@host[:port]/database[?schema=name] */
  url: string;
  /** Overrides the URL's `schema`; default `pulse`. Letters, digits and _ only. */
  schema?: string;
  clock?: Clock;
  mergeHistogram?: MergeHistogram;
  retention?: Partial<RetentionPolicy>;
  /** The hour tier's roll-up and read options (store.ts, TierOptions). */
  tiers?: Partial<TierOptions>;
  /** Connections for reads side by side (writes use one at a time). Default 4. */
  poolSize?: number;
  /** How long connecting may take before a call fails STORE_UNREACHABLE. Default 5 s. */
  connectTimeoutMs?: number;
  logger?: StoreLogger;
  /** How long to wait for the schema lock before STORE_LOCKED (a process just killed may hold it until its backend notices). Default 3 s. */
  lockWaitMs?: number;
  /** application_name of its connections in pg_stat_activity; default `pulse`. */
  applicationName?: string;
};

export type OpenedPostgresStore = { store: Store; recovered: StoreRecovery; schema: string; where: string };

/** The target, for logs and banners: never the password. */
export function describePostgresUrl(url: string): string {
  const u = new URL(url);
  return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
}

export function schemaOf(url: string, override?: string): string {
  const schema = override ?? new URL(url).searchParams.get('schema') ?? 'pulse';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new StoreError('STORE_INTERNAL', `schema "${schema}" must be letters, digits and _ (at most 63)`);
  return schema;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<OpenedPostgresStore> {
  const clock = options.clock ?? systemClock();
  const policy: RetentionPolicy = { ...defaultRetention, ...options.retention };
  const tierOptions: TierOptions = { ...defaultTierOptions, ...options.tiers };
  const mergeHistogram = options.mergeHistogram ?? mergeEncodedHistograms;
  const logger = options.logger ?? silentLogger;
  const schema = schemaOf(options.url, options.schema);
  const where = `${describePostgresUrl(options.url)} schema ${schema}`;
  const target = new URL(options.url);
  target.searchParams.delete('schema');
  const config: pg.PoolConfig = {
    connectionString: target.toString(),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    options: `-c search_path=${schema}`,
    application_name: options.applicationName ?? 'pulse',
  };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 });
  // An idle connection dropped by the server must not crash the process; the next call reconnects.
  pool.on('error', (error) => logger.warn({ code: fromPgError(error).code, err: String(error) }, 'store: a PostgreSQL connection was lost'));
  // A connection lost while checked out fails its query (which the caller sees) and then also
  // emits 'error' on the client, where the pool listens only while the client is idle: without a
  // listener of our own, losing the server would crash the process.
  pool.on('connect', (client) => client.on('error', (error) => logger.warn({ code: fromPgError(error).code, err: String(error) }, 'store: a PostgreSQL connection in use was lost')));
  const lock = new pg.Client(config);
  lock.on('error', (error) => logger.error({ err: String(error) }, 'store: the connection holding the schema lock was lost; another Pulse could now open the same schema'));

  let recovered: StoreRecovery;
  let partitions: Awaited<ReturnType<typeof loadPartitions>>;
  let position: RollupPosition | undefined;
  let minutesFrom = -Infinity;
  try {
    await lock.connect();
    const lockDeadline = Date.now() + (options.lockWaitMs ?? 3_000);
    let got = false;
    for (;;) {
      got = (await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [lockClass + 1, schema])).rows[0]!.ok;
      if (got || Date.now() >= lockDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!got) throw new StoreError('STORE_LOCKED', `schema "${schema}" at ${describePostgresUrl(options.url)} is in use by another Pulse process`);
    const client = await pool.connect();
    try {
      const { freshSchema } = await applyPgMigrations(client, schema, pgMigrations, clock.now());
      const clean = await readMeta(client, 'clean_shutdown');
      const lastWrite = await readMeta(client, 'last_write_at');
      await client.query("INSERT INTO meta (key, value) VALUES ('clean_shutdown', '0') ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      recovered = { cleanShutdown: freshSchema || clean === '1', freshFile: freshSchema };
      if (lastWrite !== undefined) recovered.lastWriteAt = Number(lastWrite);
      // One index probe per day partition, whatever their size.
      const latest = await client.query<{ m: number | null }>('SELECT max(minute)::float8 AS m FROM minutes');
      if (latest.rows[0]?.m != null) recovered.lastMinute = latest.rows[0].m;
      partitions = await loadPartitions(client, schema);
      ({ position, minutesFrom } = await loadTierState(client));
    } finally {
      client.release();
    }
  } catch (error) {
    await lock.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw fromPgError(error);
  }

  const order = createCallOrder();
  let closed = false;
  const guard = <T>(run: (fn: () => Promise<T>) => Promise<T>, fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('STORE_CLOSED'));
    return run(async () => {
      try {
        return await fn();
      } catch (error) {
        throw fromPgError(error);
      }
    });
  };
  const read = <T>(fn: () => Promise<T>) => guard<T>(order.read, fn);
  const write = <T>(fn: () => Promise<T>) => guard<T>(order.write, fn);

  /** Runs a write batch; once more after re-reading the partitions if another process dropped one it needed. */
  async function batch(table: PartitionedTable, times: number[], fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await partitions.ensure(pool, table, times);
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await fn(client);
      } catch (error) {
        if ((error as { code?: string }).code !== noPartitionCode || attempt > 0) {
          broken = error instanceof Error ? error : undefined;
          throw error;
        }
        await partitions.reload(pool);
      } finally {
        // A connection that failed mid-transaction is not given back to the pool.
        client.release(broken && fromPgError(broken).code === 'STORE_UNREACHABLE' ? broken : undefined);
      }
    }
  }
  const ctx = () => ({ schema, now: clock.now(), mergeHistogram, rolled: (rid: string, hour: number) => isRolled(position, rid, hour) });
  const tierState = () => ({ rolledThrough: rolledThrough(position), minutesFrom, longWindowMs: tierOptions.longWindowMs });
  /** A minute batch may merge into hour rows (late minutes): their partitions must exist too. */
  const lateHours = (rows: readonly { rid: string; minute: number }[]) => rows.filter((r) => isRolled(position, r.rid, floorHour(r.minute))).map((r) => r.minute);
  /** One roll-up batch through the call order, so live writes take turns with it; false when none was left. */
  const rollBatch = (now: number) =>
    write(async () => {
      const next = await planRollBatch(pool, position, now, tierOptions);
      if (!next) return false;
      await partitions.ensure(pool, 'hours', next.rows.map((r) => r.minute));
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await transaction(client, schema, () => writeRollBatch(client, next));
      } catch (error) {
        broken = error instanceof Error ? error : undefined;
        throw error;
      } finally {
        client.release(broken && fromPgError(broken).code === 'STORE_UNREACHABLE' ? broken : undefined);
      }
      position = next.next;
      return next.rows.length;
    });
  const rollUp = async (now: number): Promise<RollupCounts> => {
    const counts: RollupCounts = { hours: 0, batches: 0, through: rolledThrough(position) };
    for (;;) {
      const rows = await rollBatch(now);
      if (rows === false) break;
      counts.hours += rows;
      counts.batches++;
    }
    counts.through = rolledThrough(position);
    return counts;
  };

  const store: Store = {
    writeMinutes(rows, checkpoint) {
      return write(async () => {
        for (const row of rows) {
          const why = invalidMinuteReason(row);
          if (why) throw new StoreError('STORE_INVALID_ROW', why);
        }
        if (rows.length === 0 && !checkpoint) return;
        const late = lateHours(rows);
        if (late.length > 0) await partitions.ensure(pool, 'hours', late);
        await batch('minutes', rows.map((r) => r.minute), (client) => writeMinutesBatch(client, ctx(), rows, checkpoint));
      });
    },
    writeEvents(events, checkpoint) {
      return write(async () => {
        for (const e of events) {
          const why = invalidEventReason(e);
          if (why) throw new StoreError('STORE_INVALID_ROW', why);
        }
        if (events.length === 0 && !checkpoint) return;
        await batch('events', events.map((e) => e.t), (client) => writeEventsBatch(client, ctx(), events, checkpoint));
      });
    },
    readCheckpoint: (name) => read(() => readMeta(pool, `checkpoint:${name}`)),
    writeCheckpoint: (checkpoint) =>
      write(async () => {
        await pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [`checkpoint:${checkpoint.name}`, checkpoint.value]);
      }),
    readMinutes: (q) => read(() => readTieredMinutes(pool, q, tierState())),
    readMinutesPage: (q) =>
      read(async () => {
        if (!(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        return readTieredPage(pool, q, tierState());
      }),
    rollUp: (now) => (closed ? Promise.reject(new StoreError('STORE_CLOSED')) : rollUp(now)),
    readEvents(q) {
      return read(async () => {
        if (q.rids?.length === 0 || q.limit === 0) return [];
        if (q.limit !== undefined && !(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        return readEvents(pool, q);
      });
    },
    readClaimedAuthFailures(q) {
      return read(async () => {
        if (!(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        return readClaimedAuthFailures(pool, q);
      });
    },
    knownTerminals: (since) => read(() => knownTerminals(pool, since)),
    openConnections: (since) => read(() => openConnections(pool, since)),
    retention: async (now) => {
      // Minutes go only once their hours are rolled: roll what is settled first.
      if (closed) throw new StoreError('STORE_CLOSED');
      await rollUp(now);
      return write(async () => {
        // Whole days only: minutes from the first day kept on are all there, so reads before it take hours.
        const cut = Math.floor(minuteCutoff(now, policy.minutesMs, position) / DAY_MS) * DAY_MS;
        if (cut > minutesFrom) {
          minutesFrom = cut;
          await pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [minutesFromKey, String(cut)]);
        }
        const minutes = await partitions.dropBefore(pool, 'minutes', cut);
        const hours = await partitions.dropBefore(pool, 'hours', now - policy.hoursMs);
        const events = await partitions.dropBefore(pool, 'events', now - policy.eventsMs);
        const deleted = await pool.query('DELETE FROM terminals WHERE last_seen < $1', [now - policy.terminalsMs]);
        return { minutes, hours, events, terminals: deleted.rowCount ?? 0 };
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await order.idle();
        await pool.query("UPDATE meta SET value = '1' WHERE key = 'clean_shutdown'");
      } catch (error) {
        throw fromPgError(error);
      } finally {
        await pool.end().catch(() => undefined);
        await lock.end().catch(() => undefined);
      }
    },
  };
  return { store, recovered, schema, where };
}
