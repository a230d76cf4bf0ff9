/**
 * Day partitions of `minutes` (by minute) and `events` (by t), 30-day ones of `hours` (by hour: kept
 * 400 days, a day each would be hundreds of tables). A write first makes sure the days
 * it touches exist — and the day after the latest, so that midnight does not wait on DDL — and
 * retention drops days that lie wholly before its cutoff: one catalog change per day instead of
 * millions of deleted rows, dead tuples and vacuum.
 *
 * Partition names carry the UTC date (`minutes_20261203`); a time outside years 1000–9999 is
 * named by its day number instead (`events_d-5`), still one partition per day.
 */
import type pg from 'pg';
import { DAY_MS } from '../store.ts';
import { quoteIdent } from './pg-migrations.ts';

export type PartitionedTable = 'minutes' | 'events' | 'hours';

/** How long one partition of each table spans. */
export const spanMs: Record<PartitionedTable, number> = { minutes: DAY_MS, events: DAY_MS, hours: 30 * DAY_MS };

export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
const spanOf = (table: PartitionedTable, ms: number): number => Math.floor(ms / spanMs[table]);

/** Named by the UTC date its span starts (`day`: the span's number, in spans of the table). */
export function partitionName(table: PartitionedTable, day: number): string {
  const d = new Date(day * spanMs[table]);
  const y = d.getUTCFullYear();
  if (!(y >= 1000 && y <= 9999)) return `${table}_d${day}`;
  const iso = d.toISOString();
  return `${table}_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
}

type Queryable = Pick<pg.Pool, 'query'>;

// Another process (a second hub, a test in parallel on the same schema) may create the same
// partition between our IF NOT EXISTS check and the catalog insert.
const raceCodes = new Set(['42P07', '23505']);

/** SQLSTATE of an insert that found no partition for its row: another process dropped it (retention). */
export const noPartitionCode = '23514';

export interface Partitions {
  /** Makes sure a partition exists for each day of `times` and for the day after the latest. */
  ensure(db: Queryable, table: PartitionedTable, times: Iterable<number>): Promise<void>;
  /**
   * Drops the partitions whose every row is older than `cutoff`; returns how many rows they held.
   * The count is what the log reports; only a writer into a weeks-old day could make it inexact.
   */
  dropBefore(db: Queryable, table: PartitionedTable, cutoff: number): Promise<number>;
  /** Re-reads which partitions exist (after another process created or dropped some). */
  reload(db: Queryable): Promise<void>;
}

export async function loadPartitions(db: Queryable, schema: string): Promise<Partitions> {
  const known: Record<PartitionedTable, Set<number>> = { minutes: new Set(), events: new Set(), hours: new Set() };
  const bounds = /FROM \('?(-?[\d.e+]+)'?\) TO/;
  async function reload(q: Queryable): Promise<void> {
    const { rows } = await q.query<{ parent: PartitionedTable; bound: string }>(
      `SELECT p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE n.nspname = $1 AND p.relname IN ('minutes', 'events', 'hours')`,
      [schema],
    );
    for (const set of Object.values(known)) set.clear();
    for (const r of rows) {
      const from = bounds.exec(r.bound)?.[1];
      if (from !== undefined) known[r.parent].add(spanOf(r.parent, Number(from)));
    }
  }
  await reload(db);

  async function create(db: Queryable, table: PartitionedTable, day: number): Promise<void> {
    const span = spanMs[table];
    const sql = `CREATE TABLE IF NOT EXISTS ${quoteIdent(partitionName(table, day))} PARTITION OF ${table} FOR VALUES FROM (${day * span}) TO (${(day + 1) * span})`;
    try {
      await db.query(sql);
    } catch (error) {
      if (!raceCodes.has((error as { code?: string }).code ?? '')) throw error;
    }
    known[table].add(day);
  }

  return {
    reload,
    async ensure(db, table, times) {
      let latest = -Infinity;
      const days = new Set<number>();
      for (const t of times) {
        const day = spanOf(table, t);
        days.add(day);
        if (day > latest) latest = day;
      }
      if (days.size > 0) days.add(latest + 1);
      for (const day of days) if (!known[table].has(day)) await create(db, table, day);
    },
    async dropBefore(db, table, cutoff) {
      let rowsDropped = 0;
      for (const day of [...known[table]].sort((a, b) => a - b)) {
        if ((day + 1) * spanMs[table] > cutoff) break;
        const name = quoteIdent(partitionName(table, day));
        const counted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
        rowsDropped += Number(counted.rows[0]!.n);
        await db.query(`DROP TABLE IF EXISTS ${name}`);
        known[table].delete(day);
      }
      return rowsDropped;
    },
  };
}
