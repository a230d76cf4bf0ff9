/**
 * The PostgreSQL store's reads: the same answers as the SQLite store's, query for query. Windows
 * are half-open and may be unbounded (±Infinity), which float8 columns take as they are and the
 * bigint `minute` takes clamped; bigint comes back as float8 so that rows hold plain numbers.
 */
import type pg from 'pg';
import type { ProbeEventOf } from '../../../protocol/probe-events.ts';
import { terminalKey } from '../../../core/terminal-key.ts';
import type { ClaimedAuthFailuresQuery, EventsQuery, KnownTerminal, LifecycleEvent, MinutesPageQuery, MinutesQuery, RestaurantMinute } from '../store.ts';

type Queryable = Pick<pg.Pool, 'query'>;

// Minutes are whole numbers, so `minute >= x` is `minute >= ceil(x)`; beyond ±9e18 is beyond bigint.
const minuteBound = (x: number) => Math.max(-9e18, Math.min(9e18, Math.ceil(x)));

export async function readMinutes(db: Queryable, q: MinutesQuery): Promise<RestaurantMinute[]> {
  if (q.rids?.length === 0) return [];
  const params: unknown[] = [minuteBound(q.from), minuteBound(q.to)];
  let sql = 'SELECT rid, minute::float8 AS minute, counters, gauges, histograms FROM minutes WHERE minute >= $1 AND minute < $2';
  if (q.rids) {
    params.push(q.rids);
    sql += ' AND rid = ANY($3::text[])';
  }
  const { rows } = await db.query<RestaurantMinute>(`${sql} ORDER BY rid, minute`, params);
  return rows;
}

/**
 * As the SQLite store's: a keyset page in (minute, rid) order; `limit` checked by the caller.
 * Sorts are switched off for it: a partition not yet analyzed (today's, a freshly written one)
 * looks tiny to the planner, which then sorts the whole rest of the window for every page
 * (measured: ~600 ms a page instead of ~20 ms); the minute indexes give the order instead.
 */
export async function readMinutesPage(pool: Pick<pg.Pool, 'connect'>, q: MinutesPageQuery): Promise<RestaurantMinute[]> {
  const lower = minuteBound(q.after ? Math.max(q.from, q.after.minute) : q.from);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query('SET LOCAL enable_sort = off');
    // Ordered by the table's column, not the float8 alias, so the indexes can give the order.
    const { rows } = await client.query<RestaurantMinute>(
      `SELECT rid, minute::float8 AS minute, counters, gauges, histograms FROM minutes m
        WHERE m.minute >= $1 AND m.minute < $2 AND (m.minute, m.rid) > ($3::bigint, $4::text) ORDER BY m.minute, m.rid LIMIT $5`,
      [lower, minuteBound(q.to), q.after ? minuteBound(q.after.minute) : lower - 1, q.after?.rid ?? '', q.limit],
    );
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A connection that failed mid-transaction is not given back to the pool.
    client.release(broken);
  }
}

/** `limit` has been checked by the caller (a positive whole number or absent). */
export async function readEvents(db: Queryable, q: EventsQuery): Promise<LifecycleEvent[]> {
  const where = ['t >= $1', 't < $2'];
  const params: unknown[] = [q.from, q.to];
  const and = (clause: (n: string) => string, param: unknown) => {
    params.push(param);
    where.push(clause(`$${params.length}`));
  };
  if (q.tid !== undefined) and((p) => `tid = ${p}`, q.tid);
  if (q.rid !== undefined) and((p) => `rid = ${p}`, q.rid);
  if (q.rids !== undefined) and((p) => `rid = ANY(${p}::text[])`, q.rids);
  let sql = `SELECT body FROM events WHERE ${where.join(' AND ')} ORDER BY t, id`;
  if (q.limit !== undefined) {
    params.push(q.limit);
    sql += ` LIMIT $${params.length}`;
  }
  const { rows } = await db.query<{ body: LifecycleEvent }>(sql, params);
  return rows.map((r) => r.body);
}

/**
 * Refused tokens whose claims name the terminal: the only events with a NULL rid, so events_by_rid
 * (rid, t) reads just them; the claims are only in the body. `limit` checked by the caller.
 */
export async function readClaimedAuthFailures(db: Queryable, q: ClaimedAuthFailuresQuery): Promise<ProbeEventOf<'auth_fail'>[]> {
  const params: unknown[] = [q.from, q.to, q.claimedTid, q.limit];
  let sql = "SELECT body FROM events WHERE rid IS NULL AND t >= $1 AND t < $2 AND type = 'auth_fail' AND body->>'claimedTid' = $3";
  if (q.claimedRid !== undefined) {
    params.push(q.claimedRid);
    sql += " AND body->>'claimedRid' = $5";
  }
  const { rows } = await db.query<{ body: ProbeEventOf<'auth_fail'> }>(`${sql} ORDER BY t, id LIMIT $4`, params);
  return rows.map((r) => r.body);
}

export async function knownTerminals(db: Queryable, since: number): Promise<Map<string, KnownTerminal>> {
  const { rows } = await db.query<{ tid: string; rid: string; last_seen: number; last_close: number | null }>(
    'SELECT tid, rid, last_seen, last_close FROM terminals WHERE last_seen >= $1',
    [since],
  );
  return new Map(rows.map((r): [string, KnownTerminal] => [terminalKey(r.rid, r.tid), r.last_close === null ? { rid: r.rid, tid: r.tid, lastSeen: r.last_seen } : { rid: r.rid, tid: r.tid, lastSeen: r.last_seen, lastClose: r.last_close }]));
}

/** As the SQLite store's: per terminal, only its opens since shortly before its last close. */
export async function openConnections(db: Queryable, since: number): Promise<ProbeEventOf<'open'>[]> {
  const { rows } = await db.query<{ body: ProbeEventOf<'open'> }>(
    `SELECT o.body FROM terminals tm
       JOIN events o ON o.tid = tm.tid AND o.rid = tm.rid AND o.t >= greatest($1::float8, coalesce(tm.last_close, 0) - 300000)
      WHERE tm.last_seen >= $1 AND o.type = 'open' AND NOT EXISTS (
        SELECT 1 FROM events c WHERE c.tid = o.tid AND c.rid = o.rid AND c.t >= o.t AND c.type = 'close' AND c.conn = o.conn AND c.gw = o.gw)
      ORDER BY o.t, o.id`,
    [since],
  );
  return rows.map((r) => r.body);
}

export async function readMeta(db: Queryable, key: string): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
  return rows[0]?.value;
}
