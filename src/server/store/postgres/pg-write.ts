/**
 * The two write batches of the PostgreSQL store, each one transaction on one pooled connection:
 * a few statements per batch whatever its size (arrays through `unnest`), the checkpoint and the
 * batch's time in `meta` in the same transaction.
 *
 * Merging a minute written twice needs the HDR merge in JavaScript, so a batch reads the rows it
 * will merge into, merges in batch order and upserts the results. A transaction-level advisory
 * lock makes writers of one schema take turns, so no other writer can slip a row in between that
 * read and the upsert (which would be overwritten unmerged).
 */
import type pg from 'pg';
import { mergeMinute } from '../merge-minute.ts';
import { decodeRow, encodeRow } from '../row-codec.ts';
import { terminalKey } from '../../../core/terminal-key.ts';
import type { Checkpoint, KnownTerminal, LifecycleEvent, MergeHistogram, RestaurantMinute } from '../store.ts';
import { lockClass } from './pg-migrations.ts';
import { mergeLateMinutes } from './pg-tiers.ts';
import { floorHour } from '../../../core/hour-tier.ts';

export type WriteContext = {
  schema: string;
  now: number;
  mergeHistogram: MergeHistogram;
  /** Whether the hour of (rid, hour) is already rolled: such a minute is merged into its hour row too. */
  rolled?: (rid: string, hour: number) => boolean;
};

/** The lock writers of one schema take turns on (migrations and the exclusive lock use others). */
const writerLock = lockClass + 2;

const checkpointKey = (name: string) => `checkpoint:${name}`;

async function begin(client: pg.PoolClient, schema: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [writerLock, schema]);
}

async function setMeta(client: pg.PoolClient, entries: [string, string][]): Promise<void> {
  await client.query(
    'INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [entries.map((e) => e[0]), entries.map((e) => e[1])],
  );
}

function metaOf(checkpoint: Checkpoint | undefined, now: number): [string, string][] {
  const entries: [string, string][] = [['last_write_at', String(now)]];
  if (checkpoint) entries.unshift([checkpointKey(checkpoint.name), checkpoint.value]);
  return entries;
}

/** Runs `fn` inside BEGIN … COMMIT on `client`; rolls back on any error. */
export async function transaction(client: pg.PoolClient, schema: string, fn: () => Promise<void>): Promise<void> {
  await begin(client, schema);
  try {
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined); // a lost connection rolls back by itself
    throw error;
  }
}

export async function writeMinutesBatch(client: pg.PoolClient, ctx: WriteContext, rows: readonly RestaurantMinute[], checkpoint: Checkpoint | undefined): Promise<void> {
  await transaction(client, ctx.schema, async () => {
    if (rows.length > 0) {
      const key = (rid: string, minute: number) => `${minute} ${rid}`;
      const merged = new Map<string, RestaurantMinute>();
      let first = Infinity;
      let last = -Infinity;
      for (const r of rows) {
        first = Math.min(first, r.minute);
        last = Math.max(last, r.minute);
      }
      const keys = [...new Map(rows.map((r) => [key(r.rid, r.minute), r])).values()];
      // The minute bounds let PostgreSQL look only into the partitions the batch touches.
      const existing = await client.query<{ rid: string; minute: number; counters: Record<string, number>; gauges: Record<string, unknown>; histograms: Record<string, string> | null; hist: Buffer | null }>(
        `SELECT rid, minute::float8 AS minute, counters, gauges, histograms, hist FROM minutes
          WHERE minute >= $3 AND minute <= $4 AND (rid, minute) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))`,
        [keys.map((r) => r.rid), keys.map((r) => r.minute), first, last],
      );
      for (const old of existing.rows) merged.set(key(old.rid, old.minute), decodeRow(old.rid, old.minute, { counters: old.counters, gauges: old.gauges, histograms: old.hist ?? old.histograms ?? {} }));
      for (const r of rows) {
        const k = key(r.rid, r.minute);
        const before = merged.get(k);
        merged.set(k, before ? mergeMinute(before, r, ctx.mergeHistogram) : r);
      }
      const out = [...merged.values()];
      const stored = out.map(encodeRow);
      // The compact layout (../row-codec.ts): histograms as bytes in `hist`, the jsonb column left NULL.
      await client.query(
        `INSERT INTO minutes (rid, minute, counters, gauges, histograms, hist)
           SELECT u.rid, u.minute, u.counters, u.gauges, NULL, u.hist FROM unnest($1::text[], $2::bigint[], $3::jsonb[], $4::jsonb[], $5::bytea[]) AS u(rid, minute, counters, gauges, hist)
         ON CONFLICT (rid, minute) DO UPDATE SET counters = excluded.counters, gauges = excluded.gauges, histograms = NULL, hist = excluded.hist`,
        [out.map((r) => r.rid), out.map((r) => r.minute), stored.map((r) => r.counters), stored.map((r) => r.gauges), stored.map((r) => r.histograms)],
      );
      const rolled = ctx.rolled;
      if (rolled) await mergeLateMinutes(client, rows.filter((r) => rolled(r.rid, floorHour(r.minute))), ctx.mergeHistogram);
    }
    await setMeta(client, metaOf(checkpoint, ctx.now));
  });
}

const connOf = (e: LifecycleEvent): string | null => {
  const conn = (e as { conn?: unknown }).conn;
  return typeof conn === 'string' ? conn : null;
};

export async function writeEventsBatch(client: pg.PoolClient, ctx: WriteContext, events: readonly LifecycleEvent[], checkpoint: Checkpoint | undefined): Promise<void> {
  await transaction(client, ctx.schema, async () => {
    if (events.length > 0) {
      // Ids for the whole batch in one step, in batch order (under the writer lock, so contiguous).
      const reserved = await client.query<{ base: string }>("SELECT setval('events_id_seq', nextval('events_id_seq') + $1 - 1) - $1 + 1 AS base", [events.length]);
      // An auth failure names no restaurant or terminal: its claims are no signature's word.
      const stored = events.map((e) => (e.type === 'auth_fail' ? { rid: null, tid: null } : { rid: e.rid, tid: e.tid }));
      await client.query(
        `INSERT INTO events (id, t, type, rid, tid, gw, conn, body)
           SELECT $1::bigint + u.o - 1, u.t, u.type, u.rid, u.tid, u.gw, u.conn, u.body
             FROM unnest($2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::json[]) WITH ORDINALITY AS u(t, type, rid, tid, gw, conn, body, o)`,
        [
          reserved.rows[0]!.base,
          events.map((e) => e.t),
          events.map((e) => e.type),
          stored.map((s) => s.rid),
          stored.map((s) => s.tid),
          events.map((e) => e.gw),
          events.map(connOf),
          events.map((e) => JSON.stringify(e)),
        ],
      );
      const seen = terminalsSeen(events);
      if (seen.size > 0) {
        const list = [...seen];
        // greatest() ignores NULLs, so a terminal's last close survives a batch without closes.
        await client.query(
          `INSERT INTO terminals (tid, rid, last_seen, last_close) SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[])
           ON CONFLICT (rid, tid) DO UPDATE SET
             last_seen = greatest(terminals.last_seen, excluded.last_seen),
             last_close = greatest(terminals.last_close, excluded.last_close)`,
          [list.map(([, k]) => k.tid), list.map(([, k]) => k.rid), list.map(([, k]) => k.lastSeen), list.map(([, k]) => k.lastClose ?? null)],
        );
      }
    }
    await setMeta(client, metaOf(checkpoint, ctx.now));
  });
}

/** Each authenticated terminal's (rid, tid) latest sighting and latest close in `events` (as the SQLite store counts them). */
function terminalsSeen(events: readonly LifecycleEvent[]): Map<string, KnownTerminal> {
  const seen = new Map<string, KnownTerminal>();
  for (const e of events) {
    if (e.type === 'auth_fail') continue;
    const key = terminalKey(e.rid, e.tid);
    let known = seen.get(key);
    if (!known) seen.set(key, (known = { rid: e.rid, tid: e.tid, lastSeen: e.t }));
    else if (e.t >= known.lastSeen) known.lastSeen = e.t;
    if (e.type === 'close' && !(e.t <= (known.lastClose ?? -Infinity))) known.lastClose = e.t;
  }
  return seen;
}
