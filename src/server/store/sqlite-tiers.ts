/**
 * The SQLite store's two rollup tiers: restaurant-minutes and restaurant-hours (src/core/hour-tier.ts
 * decides; this reads and writes). Reads answer each part of a window from the tier the plan names,
 * in one statement per call so the order is SQLite's; the roll-up writes one batch (a few
 * restaurants of one hour) per transaction together with the position it reached, so a crash
 * leaves the position and the hour rows agreeing and a restart writes no hour twice.
 */
import type Database from 'better-sqlite3';
import {
  HOUR_MS,
  decodePosition,
  encodePosition,
  floorHour,
  minuteCutoff,
  planSegments,
  planTiers,
  rollHourOfFleet,
  rolledThrough,
  settledBefore,
  type RollupPosition,
} from '../../core/hour-tier.ts';
import { mergeMinute } from './merge-minute.ts';
import { decodeRow, encodeRow } from './row-codec.ts';
import { tierMetaKeys } from './store.ts';
import type { MergeHistogram, MinutesPageQuery, MinutesQuery, RestaurantMinute, RetentionPolicy, TierOptions } from './store.ts';

type StoredRow = { rid: string; minute: number; counters: string; gauges: string; histograms: Buffer | string; span?: number };

export const positionKey = tierMetaKeys.position;
export const minutesFromKey = tierMetaKeys.minutesFrom;

/** Up to this many restaurants, a page reads their rows by key rather than scanning the fleet's time index. */
const fewRestaurants = 20;

const HOUR_MINUTES = HOUR_MS / 60_000;

const parse = (r: StoredRow): RestaurantMinute => {
  const row = decodeRow(r.rid, r.minute, r);
  // An hour row stands for its hour's minutes (RestaurantMinute.spanMinutes).
  if (r.span !== undefined && r.span > 1) row.spanMinutes = r.span;
  return row;
};

export interface SqliteTiers {
  readMinutes(q: MinutesQuery): RestaurantMinute[];
  readMinutesPage(q: MinutesPageQuery): RestaurantMinute[];
  /** Within a write transaction: merges a minute's write into its hour row when that hour is already rolled. */
  mergeLateMinute(row: RestaurantMinute): void;
  /** One roll-up batch, in its own transaction; false when nothing settled is left to roll. */
  rollBatch(now: number): { rows: number } | false;
  position(): number;
  /** Minute retention's cutoff at `now` (never past what is rolled) and the hour tier's. */
  cutoffs(now: number, policy: RetentionPolicy): { minutes: number; hours: number };
  /** Records that minutes before `cutoff` are gone, so reads take those hours from the hour tier. */
  markMinutesFrom(cutoff: number): void;
}

export function createSqliteTiers(db: Database.Database, o: TierOptions & { mergeHistogram: MergeHistogram; setMeta: (key: string, value: string) => void; getMeta: (key: string) => string | undefined }): SqliteTiers {
  let position: RollupPosition | undefined = decodePosition(o.getMeta(positionKey));
  const storedFrom = Number(o.getMeta(minutesFromKey));
  let minutesFrom = Number.isFinite(storedFrom) ? storedFrom : -Infinity;
  const state = () => ({ rolledThrough: rolledThrough(position), minutesFrom, longWindowMs: o.longWindowMs });
  const isRolled = (rid: string, hour: number) => position !== undefined && (hour < position.hour || (hour === position.hour && position.rid !== undefined && rid <= position.rid));

  const cols = 'rid, minute, counters, gauges, histograms, 1 AS span';
  const hourCols = `rid, hour AS minute, counters, gauges, histograms, ${HOUR_MINUTES} AS span`;
  const rangeRead = (rids: boolean) => {
    const only = rids ? ' AND rid IN (SELECT value FROM json_each(?))' : '';
    return db.prepare<unknown[], StoredRow>(`SELECT ${cols} FROM minutes WHERE minute >= ? AND minute < ?${only}
      UNION ALL SELECT ${hourCols} FROM hours WHERE hour >= ? AND hour < ?${only}
      UNION ALL SELECT ${cols} FROM minutes WHERE minute >= ? AND minute < ?${only} ORDER BY rid, minute`);
  };
  const readAll = rangeRead(false);
  const readOf = rangeRead(true);
  // Keyset pages in (minute, rid) order, one segment (tier) at a time; each through its time index.
  const pageOf = (table: 'minutes' | 'hours', rids: boolean, few = false) => {
    const t = table === 'minutes' ? 'minute' : 'hour';
    const only = rids ? ' AND rid IN (SELECT value FROM json_each(?))' : '';
    // Through the time index: a long list's pages then continue a scan instead of each sorting the
    // rest of the window (quadratic: 184 s for 500 restaurants × 60 days, measured); a short
    // list (`few`) reads its own rows by key and sorts them.
    const index = few ? '' : ` INDEXED BY ${table}_by_${t}`;
    return db.prepare<unknown[], StoredRow>(
      `SELECT ${table === 'minutes' ? cols : hourCols} FROM ${table}${index} WHERE ${t} >= ? AND ${t} < ? AND (${t} > ? OR rid > ?)${only} ORDER BY ${t}, rid LIMIT ?`,
    );
  };
  const pages = {
    minutes: { all: pageOf('minutes', false), of: pageOf('minutes', true), few: pageOf('minutes', true, true) },
    hours: { all: pageOf('hours', false), of: pageOf('hours', true), few: pageOf('hours', true, true) },
  };

  const selectHour = db.prepare<[string, number], StoredRow>(`SELECT ${hourCols} FROM hours WHERE rid = ? AND hour = ?`);
  const upsertHour = db.prepare('INSERT INTO hours (rid, hour, counters, gauges, histograms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (rid, hour) DO UPDATE SET counters = excluded.counters, gauges = excluded.gauges, histograms = excluded.histograms');
  // Plain INSERT: a second write of a rolled hour fails the batch loudly instead of doubling it.
  const insertHour = db.prepare('INSERT INTO hours (rid, hour, counters, gauges, histograms) VALUES (?, ?, ?, ?, ?)');
  const nextRids = db.prepare<[number, number, string, number], { rid: string }>('SELECT DISTINCT rid FROM minutes WHERE minute >= ? AND minute < ? AND rid > ? ORDER BY rid LIMIT ?');
  const minutesOfRids = db.prepare<[string, number, number], StoredRow>(`SELECT ${cols} FROM minutes WHERE rid IN (SELECT value FROM json_each(?)) AND minute >= ? AND minute < ?`);
  const firstMinuteFrom = db.prepare<[number], { m: number | null }>('SELECT min(minute) AS m FROM minutes WHERE minute >= ?');

  const writeHours = (rows: readonly RestaurantMinute[], to: RollupPosition) => {
    for (const r of rows) {
      const s = encodeRow(r);
      insertHour.run(r.rid, r.minute, s.counters, s.gauges, s.histograms);
    }
    o.setMeta(positionKey, encodePosition(to));
  };
  const rollTx = db.transaction(writeHours);

  return {
    readMinutes(q) {
      if (q.rids?.length === 0) return [];
      const plan = planTiers(q.from, q.to, state());
      const a = [q.from, Math.min(q.to, plan.hoursFrom)];
      const h = [plan.hoursFrom, plan.hoursTo];
      const b = [Math.max(q.from, plan.hoursTo), q.to];
      if (!q.rids) return readAll.all(...a, ...h, ...b).map(parse);
      const rids = JSON.stringify(q.rids);
      return readOf.all(...a, rids, ...h, rids, ...b, rids).map(parse);
    },
    readMinutesPage(q) {
      if (q.rids?.length === 0) return [];
      const out: RestaurantMinute[] = [];
      const rids = q.rids ? JSON.stringify(q.rids) : undefined;
      for (const seg of planSegments(q.from, q.to, planTiers(q.from, q.to, state()))) {
        if (out.length >= q.limit) break;
        if (q.after && q.after.minute >= seg.to) continue;
        const lower = q.after ? Math.max(seg.from, q.after.minute) : seg.from;
        const afterMinute = q.after && q.after.minute >= seg.from ? q.after.minute : lower - 1;
        const afterRid = q.after && q.after.minute >= seg.from ? q.after.rid : '';
        const stmt = rids === undefined ? pages[seg.tier].all : q.rids!.length <= fewRestaurants ? pages[seg.tier].few : pages[seg.tier].of;
        const params = [lower, seg.to, afterMinute, afterRid, ...(rids === undefined ? [] : [rids]), q.limit - out.length];
        for (const r of stmt.all(...params)) out.push(parse(r));
      }
      return out;
    },
    mergeLateMinute(row) {
      const hour = floorHour(row.minute);
      if (!isRolled(row.rid, hour)) return;
      const old = selectHour.get(row.rid, hour);
      const merged = old ? mergeMinute(parse(old), { ...row, minute: hour }, o.mergeHistogram) : { ...row, minute: hour };
      const s = encodeRow(merged);
      upsertHour.run(row.rid, hour, s.counters, s.gauges, s.histograms);
    },
    rollBatch(now) {
      const limit = settledBefore(now, o.settleMs);
      let hour = position?.hour;
      if (hour === undefined) {
        const first = firstMinuteFrom.get(-Infinity)?.m;
        if (first == null) return false;
        hour = floorHour(first);
      }
      if (hour >= limit) return false;
      const afterRid = position?.hour === hour ? (position.rid ?? '') : '';
      const rids = nextRids.all(hour, hour + HOUR_MS, afterRid, o.batchRestaurants).map((r) => r.rid);
      let next: RollupPosition;
      let rows: RestaurantMinute[] = [];
      if (rids.length > 0) {
        rows = rollHourOfFleet(hour, minutesOfRids.all(JSON.stringify(rids), hour, hour + HOUR_MS).map(parse)).rows;
        next = rids.length < o.batchRestaurants ? { hour: hour + HOUR_MS } : { hour, rid: rids[rids.length - 1]! };
      } else {
        // Nothing (more) in this hour: on to the next hour that holds a minute, or as far as is settled.
        const m = firstMinuteFrom.get(hour + HOUR_MS)?.m;
        next = { hour: m == null ? limit : Math.min(limit, floorHour(m)) };
      }
      rollTx(rows, next);
      position = next;
      return { rows: rows.length };
    },
    position: () => rolledThrough(position),
    cutoffs(now, policy) {
      return { minutes: minuteCutoff(now, policy.minutesMs, position), hours: now - policy.hoursMs };
    },
    markMinutesFrom(cutoff) {
      if (cutoff > minutesFrom) {
        minutesFrom = cutoff;
        o.setMeta(minutesFromKey, String(cutoff));
      }
    },
  };
}
