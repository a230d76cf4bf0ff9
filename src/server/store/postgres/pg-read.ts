/**
 * The PostgreSQL store's reads of events, terminals and meta: the same answers as the SQLite
 * store's, query for query (rollup reads are pg-tiers.ts'). Windows are half-open and may be
 * unbounded (±Infinity), which float8 columns take as they are.
 */
import type pg from 'pg';
import type { ProbeEventOf } from '../../../protocol/probe-events.ts';
import { terminalKey } from '../../../core/terminal-key.ts';
import type { ClaimedAuthFailuresQuery, EventsQuery, KnownTerminal, LifecycleEvent } from '../store.ts';

type Queryable = Pick<pg.Pool, 'query'>;

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
