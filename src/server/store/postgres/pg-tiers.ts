/**
 * The PostgreSQL store's two rollup tiers — the twin of ../sqlite-tiers.ts, query for query: reads
 * answer each part of a window from the tier src/core/hour-tier.ts plans; a roll-up batch (a few
 * restaurants of one hour) is one transaction under the writers' lock together with the position
 * it reached; a minute written into an hour already rolled is merged into its hour row in the
 * minute batch's own transaction (pg-write.ts).
 */
import type pg from 'pg';
import {
  HOUR_MS,
  decodePosition,
  encodePosition,
  floorHour,
  planSegments,
  planTiers,
  rollHourOfFleet,
  rolledThrough,
  settledBefore,
  type RollupPosition,
  type TierState,
} from '../../../core/hour-tier.ts';
import { mergeMinute } from '../merge-minute.ts';
import { decodeRow, encodeRow } from '../row-codec.ts';
import { tierMetaKeys } from '../store.ts';
import type { MergeHistogram, MinutesPageQuery, MinutesQuery, RestaurantMinute, TierOptions } from '../store.ts';

type Queryable = Pick<pg.Pool, 'query'>;

export const positionKey = tierMetaKeys.position;
export const minutesFromKey = tierMetaKeys.minutesFrom;

type PgRow = { rid: string; minute: number; counters: Record<string, number>; gauges: Record<string, unknown>; histograms: Record<string, string> | null; hist: Buffer | null; span?: number };
const parse = (r: PgRow): RestaurantMinute => {
  const row = decodeRow(r.rid, r.minute, { counters: r.counters, gauges: r.gauges, histograms: r.hist ?? r.histograms ?? {} });
  // An hour row stands for its hour's minutes (RestaurantMinute.spanMinutes).
  if (r.span !== undefined && r.span > 1) row.spanMinutes = r.span;
  return row;
};

// Minutes are whole numbers, so `minute >= x` is `minute >= ceil(x)`; beyond ±9e18 is beyond bigint.
export const minuteBound = (x: number) => Math.max(-9e18, Math.min(9e18, Math.ceil(x)));

const MINUTE_COLS = 'rid, minute::float8 AS minute, counters, gauges, histograms, hist, 1 AS span';
const HOUR_COLS = `rid, hour::float8 AS minute, counters, gauges, NULL::jsonb AS histograms, hist, ${HOUR_MS / 60_000} AS span`;

/** The roll-up's position and how far minutes reach, as the store last wrote them (meta). */
export async function loadTierState(db: Queryable): Promise<{ position: RollupPosition | undefined; minutesFrom: number }> {
  const { rows } = await db.query<{ key: string; value: string }>('SELECT key, value FROM meta WHERE key = ANY($1::text[])', [[positionKey, minutesFromKey]]);
  const get = (k: string) => rows.find((r) => r.key === k)?.value;
  const from = Number(get(minutesFromKey));
  return { position: decodePosition(get(positionKey)), minutesFrom: Number.isFinite(from) ? from : -Infinity };
}

export async function readTieredMinutes(db: Queryable, q: MinutesQuery, s: TierState): Promise<RestaurantMinute[]> {
  if (q.rids?.length === 0) return [];
  const plan = planTiers(q.from, q.to, s);
  const params: unknown[] = [q.from, Math.min(q.to, plan.hoursFrom), plan.hoursFrom, plan.hoursTo, Math.max(q.from, plan.hoursTo), q.to].map(minuteBound);
  const only = q.rids ? ' AND rid = ANY($7::text[])' : '';
  if (q.rids) params.push(q.rids);
  const { rows } = await db.query<PgRow>(
    `SELECT ${MINUTE_COLS} FROM minutes WHERE minute >= $1 AND minute < $2${only}
     UNION ALL SELECT ${HOUR_COLS} FROM hours WHERE hour >= $3 AND hour < $4${only}
     UNION ALL SELECT ${MINUTE_COLS} FROM minutes WHERE minute >= $5 AND minute < $6${only} ORDER BY rid, minute`,
    params,
  );
  return rows.map(parse);
}

/**
 * A keyset page in (minute, rid) order, segment by segment; `limit` checked by the caller. Sorts are
 * switched off: a partition not yet analyzed looks tiny to the planner, which then sorts the whole
 * rest of the window for every page (measured: ~600 ms a page instead of ~20 ms); the time indexes
 * give the order instead.
 */
export async function readTieredPage(pool: Pick<pg.Pool, 'connect'>, q: MinutesPageQuery, s: TierState): Promise<RestaurantMinute[]> {
  if (q.rids?.length === 0) return [];
  const client = await pool.connect();
  let broken: Error | undefined;
  const out: RestaurantMinute[] = [];
  try {
    await client.query('BEGIN READ ONLY');
    await client.query('SET LOCAL enable_sort = off');
    for (const seg of planSegments(q.from, q.to, planTiers(q.from, q.to, s))) {
      if (out.length >= q.limit) break;
      if (q.after && q.after.minute >= seg.to) continue;
      const keyed = q.after !== undefined && q.after.minute >= seg.from;
      const lower = keyed ? q.after!.minute : seg.from;
      const t = seg.tier === 'minutes' ? 'minute' : 'hour';
      const params: unknown[] = [minuteBound(lower), minuteBound(seg.to), keyed ? minuteBound(q.after!.minute) : minuteBound(lower) - 1, keyed ? q.after!.rid : '', q.limit - out.length];
      const only = q.rids ? ' AND m.rid = ANY($6::text[])' : '';
      if (q.rids) params.push(q.rids);
      // Ordered by the table's column, not the float8 alias, so the indexes can give the order.
      const { rows } = await client.query<PgRow>(
        `SELECT ${seg.tier === 'minutes' ? MINUTE_COLS : HOUR_COLS} FROM ${seg.tier} m
          WHERE m.${t} >= $1 AND m.${t} < $2 AND (m.${t}, m.rid) > ($3::bigint, $4::text)${only} ORDER BY m.${t}, m.rid LIMIT $5`,
        params,
      );
      for (const r of rows) out.push(parse(r));
    }
    await client.query('COMMIT');
    return out;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-transaction is not given back to the pool.
    client.release(broken);
  }
}

/** Whether (rid, hour) is rolled at `p`: every hour before p.hour, and of p.hour the restaurants up to p.rid. */
export const isRolled = (p: RollupPosition | undefined, rid: string, hour: number): boolean =>
  p !== undefined && (hour < p.hour || (hour === p.hour && p.rid !== undefined && rid <= p.rid));

/** Inside a minute batch's transaction: merges each row of an already rolled hour into its hour row. */
export async function mergeLateMinutes(client: pg.PoolClient, rows: readonly RestaurantMinute[], merge: MergeHistogram): Promise<void> {
  if (rows.length === 0) return;
  const byKey = new Map<string, RestaurantMinute>();
  const hourRow = (r: RestaurantMinute) => ({ ...r, minute: floorHour(r.minute) });
  const key = (r: RestaurantMinute) => `${r.minute} ${r.rid}`;
  const late = rows.map(hourRow);
  const existing = await client.query<PgRow>(`SELECT ${HOUR_COLS} FROM hours WHERE (rid, hour) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))`, [late.map((r) => r.rid), late.map((r) => r.minute)]);
  for (const r of existing.rows) byKey.set(key(r as unknown as RestaurantMinute), parse(r));
  for (const r of late) {
    const before = byKey.get(key(r));
    byKey.set(key(r), before ? mergeMinute(before, r, merge) : r);
  }
  await upsertHours(client, [...byKey.values()], 'merge');
}

async function upsertHours(client: pg.PoolClient, rows: readonly RestaurantMinute[], mode: 'insert' | 'merge'): Promise<void> {
  if (rows.length === 0) return;
  const stored = rows.map(encodeRow);
  // Plain INSERT for the roll-up: a second write of a rolled hour fails its batch instead of doubling it.
  const conflict = mode === 'merge' ? ' ON CONFLICT (rid, hour) DO UPDATE SET counters = excluded.counters, gauges = excluded.gauges, hist = excluded.hist' : '';
  await client.query(
    `INSERT INTO hours (rid, hour, counters, gauges, hist) SELECT * FROM unnest($1::text[], $2::bigint[], $3::jsonb[], $4::jsonb[], $5::bytea[])${conflict}`,
    [rows.map((r) => r.rid), rows.map((r) => r.minute), stored.map((s) => s.counters), stored.map((s) => s.gauges), stored.map((s) => s.histograms)],
  );
}

export type RollBatch = { rows: RestaurantMinute[]; next: RollupPosition };

/** What the next roll-up batch writes, read from the minutes; undefined when nothing settled is left. */
export async function planRollBatch(db: Queryable, position: RollupPosition | undefined, now: number, o: TierOptions): Promise<RollBatch | undefined> {
  const limit = settledBefore(now, o.settleMs);
  const firstFrom = async (t: number) => (await db.query<{ m: number | null }>('SELECT min(minute)::float8 AS m FROM minutes WHERE minute >= $1', [minuteBound(t)])).rows[0]?.m ?? null;
  let hour = position?.hour;
  if (hour === undefined) {
    const first = await firstFrom(-Infinity);
    if (first === null) return undefined;
    hour = floorHour(first);
  }
  if (hour >= limit) return undefined;
  const afterRid = position?.hour === hour ? (position.rid ?? '') : '';
  const ridRows = await db.query<{ rid: string }>('SELECT DISTINCT rid FROM minutes WHERE minute >= $1 AND minute < $2 AND rid > $3 ORDER BY rid LIMIT $4', [hour, hour + HOUR_MS, afterRid, o.batchRestaurants]);
  const rids = ridRows.rows.map((r) => r.rid);
  if (rids.length === 0) {
    // Nothing (more) in this hour: on to the next hour that holds a minute, or as far as is settled.
    const m = await firstFrom(hour + HOUR_MS);
    return { rows: [], next: { hour: m === null ? limit : Math.min(limit, floorHour(m)) } };
  }
  const { rows } = await db.query<PgRow>(`SELECT ${MINUTE_COLS} FROM minutes WHERE rid = ANY($1::text[]) AND minute >= $2 AND minute < $3`, [rids, hour, hour + HOUR_MS]);
  return {
    rows: rollHourOfFleet(hour, rows.map(parse)).rows,
    next: rids.length < o.batchRestaurants ? { hour: hour + HOUR_MS } : { hour, rid: rids[rids.length - 1]! },
  };
}

/** Inside the batch's transaction: the hour rows and the position they bring the roll-up to. */
export async function writeRollBatch(client: pg.PoolClient, batch: RollBatch): Promise<void> {
  await upsertHours(client, batch.rows, 'insert');
  await client.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [positionKey, encodePosition(batch.next)]);
}

export { rolledThrough };
