/**
 * The embedded store: one SQLite file, `<dataDir>/pulse.db`, in WAL mode.
 *
 * WAL with synchronous=NORMAL: a committed batch survives the process being killed (the WAL is in
 * the OS's hands once the transaction returns); only a power cut can lose the last commits, which
 * is the trade every embedded monitor makes for not fsyncing each second.
 *
 * better-sqlite3 is synchronous, so every call blocks the event loop for its duration. That is why
 * writes come in bounded batches from the write queue, and why retention deletes in chunks and
 * yields between them: the live path must never wait behind a long statement.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
import { systemClock } from '../../core/clock.ts';
import type { Clock } from '../../core/clock.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import { startCheckpointer } from './checkpointer.ts';
import type { Checkpointer } from './checkpointer.ts';
import { mergeEncodedHistograms } from './histogram-merge.ts';
import { mergeMinute } from './merge-minute.ts';
import { readAndArmShutdownMarker } from './shutdown-marker.ts';
import { applyMigrations, migrations } from './migrations.ts';
import { acquireDataLock } from './data-lock.ts';
import { StoreError, fromSqliteError } from './store-errors.ts';
import { createSqliteTiers } from './sqlite-tiers.ts';
import { decodeRow, encodeRow } from './row-codec.ts';
import { defaultRetention, defaultTierOptions, silentLogger } from './store.ts';
import type {
  Checkpoint,
  EventsQuery,
  KnownTerminal,
  LifecycleEvent,
  MergeHistogram,
  MinutesPageQuery,
  MinutesQuery,
  RestaurantMinute,
  RetentionCounts,
  RetentionPolicy,
  RollupCounts,
  Store,
  StoreLogger,
  StoreRecovery,
  TierOptions,
} from './store.ts';
import { invalidEventReason, invalidMinuteReason } from './validate-rows.ts';

export const storeFileName = 'pulse.db';

export type SqliteStoreOptions = {
  dataDir: string;
  clock?: Clock;
  /** How histograms of two writes of one (rid, minute) combine; default: core's HDR merge. */
  mergeHistogram?: MergeHistogram;
  retention?: Partial<RetentionPolicy>;
  /** The hour tier's roll-up and read options (store.ts, TierOptions). */
  tiers?: Partial<TierOptions>;
  /** How long a write waits for a lock held by another process before failing STORE_BUSY. Short, since it blocks the event loop. */
  busyTimeoutMs?: number;
  /** Rows deleted per retention transaction; between chunks the event loop runs. */
  retentionChunk?: number;
  /** WAL checkpoints run on a worker thread this often (see checkpointer.ts); 0 leaves them to SQLite, on the caller's thread. */
  checkpointIntervalMs?: number;
  logger?: StoreLogger;
};

export type OpenedSqliteStore = { store: Store; recovered: StoreRecovery; file: string };

type MinuteRow = { rid: string; minute: number; counters: string; gauges: string; histograms: Buffer | string };

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function openSqliteStore(options: SqliteStoreOptions): Promise<OpenedSqliteStore> {
  const clock = options.clock ?? systemClock();
  const policy: RetentionPolicy = { ...defaultRetention, ...options.retention };
  const chunk = options.retentionChunk ?? 5_000;
  const mergeHistogram = options.mergeHistogram ?? mergeEncodedHistograms;
  const logger = options.logger ?? silentLogger;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 5_000;
  const file = path.join(options.dataDir, storeFileName);

  let db: Database.Database;
  let recovered: StoreRecovery;
  fs.mkdirSync(options.dataDir, { recursive: true });
  const lock = acquireDataLock(options.dataDir);
  try {
    const freshFile = !fs.existsSync(file);
    db = new Database(file);
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 250))}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreError('STORE_IO', `could not switch ${file} to WAL (got ${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      applyMigrations(db, migrations, clock.now());
      recovered = readAndArmShutdownMarker(db, freshFile);
      if (checkpointIntervalMs > 0) db.pragma('wal_autocheckpoint = 0');
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    lock.release();
    throw fromSqliteError(error);
  }

  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const insertMinute = db.prepare('INSERT INTO minutes (rid, minute, counters, gauges, histograms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (rid, minute) DO NOTHING');
  const selectMinute = db.prepare<[string, number], Omit<MinuteRow, 'rid' | 'minute'>>('SELECT counters, gauges, histograms FROM minutes WHERE rid = ? AND minute = ?');
  const updateMinute = db.prepare('UPDATE minutes SET counters = ?, gauges = ?, histograms = ? WHERE rid = ? AND minute = ?');
  const insertEvent = db.prepare('INSERT INTO events (t, type, rid, tid, body) VALUES (?, ?, ?, ?, ?)');
  // One row per terminal (rid, tid): tills are named per restaurant (issue 18, item 3). (SQLite's
  // max() of a NULL is NULL: hence the coalesces for last_close.)
  const upsertTerminal = db.prepare(`INSERT INTO terminals (tid, rid, last_seen, last_close) VALUES (?, ?, ?, ?)
    ON CONFLICT (rid, tid) DO UPDATE SET
      last_seen = max(terminals.last_seen, excluded.last_seen),
      last_close = max(coalesce(terminals.last_close, excluded.last_close), coalesce(excluded.last_close, terminals.last_close))`);
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const checkpointKey = (name: string) => `checkpoint:${name}`;
  const tiers = createSqliteTiers(db, {
    ...defaultTierOptions,
    ...options.tiers,
    mergeHistogram,
    setMeta: (key, value) => void setMeta.run(key, value),
    getMeta: (key) => getMeta.get(key)?.value,
  });
  const terminalsSince = db.prepare<[number], { tid: string; rid: string; last_seen: number; last_close: number | null }>(
    'SELECT tid, rid, last_seen, last_close FROM terminals WHERE last_seen >= ?',
  );
  // Per terminal (index events_by_terminal), only its opens since shortly before its last close: a
  // handful of rows each, not a week of the whole fleet's events.
  const unclosedOpens = db.prepare<[number, number], { body: string }>(`
    SELECT o.body FROM terminals tm
    JOIN events o ON o.tid = tm.tid AND o.rid = tm.rid AND o.t >= max(?, coalesce(tm.last_close, 0) - 300000)
    WHERE tm.last_seen >= ? AND o.type = 'open' AND NOT EXISTS (
      SELECT 1 FROM events c WHERE c.tid = o.tid AND c.rid = o.rid AND c.t >= o.t AND c.type = 'close'
        AND json_extract(c.body, '$.conn') = json_extract(o.body, '$.conn') AND json_extract(c.body, '$.gw') = json_extract(o.body, '$.gw'))
    ORDER BY o.t, o.id`);
  const deleteMinutes = db.prepare('DELETE FROM minutes WHERE (rid, minute) IN (SELECT rid, minute FROM minutes WHERE minute < ? LIMIT ?)');
  const deleteHours = db.prepare('DELETE FROM hours WHERE (rid, hour) IN (SELECT rid, hour FROM hours WHERE hour < ? LIMIT ?)');
  const deleteEvents = db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE t < ? LIMIT ?)');
  const deleteTerminals = db.prepare('DELETE FROM terminals WHERE (rid, tid) IN (SELECT rid, tid FROM terminals WHERE last_seen < ? LIMIT ?)');
  const eventQueries = new Map<string, Database.Statement<unknown[], { body: string }>>();
  // Refused tokens are the only events with a NULL rid, so index events_by_rid (rid, t) reads just
  // them, in time order; the claims are only in the body. (SQLite's `=` never matches a NULL, hence
  // the coalesce for "any restaurant claimed or none".)
  const claimedAuthFails = db.prepare<[number, number, string, number, string | null, number], { body: string }>(`
    SELECT body FROM events WHERE rid IS NULL AND t >= ? AND t < ? AND type = 'auth_fail'
      AND json_extract(body, '$.claimedTid') = ? AND (? = 0 OR json_extract(body, '$.claimedRid') = ?)
    ORDER BY t, id LIMIT ?`);

  const writeMinutesTx = db.transaction((rows: readonly RestaurantMinute[], checkpoint: Checkpoint | undefined) => {
    for (const row of rows) {
      const stored = encodeRow(row);
      // A minute of an hour already rolled (a restarted hub's rest of a minute) goes into its hour row too.
      tiers.mergeLateMinute(row);
      // The common case is the first write of a minute: one statement, no read.
      if (insertMinute.run(row.rid, row.minute, stored.counters, stored.gauges, stored.histograms).changes === 1) continue;
      const old = selectMinute.get(row.rid, row.minute);
      if (!old) throw new StoreError('STORE_INTERNAL', `minute ${row.rid}@${row.minute} neither inserted nor found`);
      const merged = encodeRow(mergeMinute(parseMinute({ rid: row.rid, minute: row.minute, ...old }), row, mergeHistogram));
      updateMinute.run(merged.counters, merged.gauges, merged.histograms, row.rid, row.minute);
    }
    if (checkpoint) setMeta.run(checkpointKey(checkpoint.name), checkpoint.value);
    setMeta.run('last_write_at', String(clock.now()));
  });

  const writeEventsTx = db.transaction((events: readonly LifecycleEvent[], checkpoint: Checkpoint | undefined) => {
    const seen = new Map<string, KnownTerminal>();
    for (const e of events) {
      // An auth failure has no rid/tid, only claims no signature vouched for: it is stored under no
      // restaurant or terminal, and does not make a terminal known.
      if (e.type === 'auth_fail') {
        insertEvent.run(e.t, e.type, null, null, JSON.stringify(e));
        continue;
      }
      insertEvent.run(e.t, e.type, e.rid, e.tid, JSON.stringify(e));
      const key = terminalKey(e.rid, e.tid);
      let known = seen.get(key);
      if (!known) seen.set(key, (known = { rid: e.rid, tid: e.tid, lastSeen: e.t }));
      else if (e.t >= known.lastSeen) known.lastSeen = e.t;
      if (e.type === 'close' && !(e.t <= (known.lastClose ?? -Infinity))) known.lastClose = e.t;
    }
    for (const { tid, rid, lastSeen, lastClose } of seen.values()) upsertTerminal.run(tid, rid, lastSeen, lastClose ?? null);
    if (checkpoint) setMeta.run(checkpointKey(checkpoint.name), checkpoint.value);
    setMeta.run('last_write_at', String(clock.now()));
  });

  let closed = false;
  let checkpointer: Checkpointer | undefined;
  if (checkpointIntervalMs > 0) {
    checkpointer = startCheckpointer({
      file,
      clock,
      intervalMs: checkpointIntervalMs,
      onError(error) {
        logger.error({ code: error.code, err: error }, 'store checkpoint failed; SQLite checkpoints on the write path again so the WAL cannot grow without bound');
        if (!closed) db.pragma('wal_autocheckpoint = 1000');
      },
    });
  }
  // Turns synchronous driver calls into the Promise shape of `Store`, with stable error codes.
  const call = <T>(fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('STORE_CLOSED'));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(fromSqliteError(error));
    }
  };

  const eventQuery = (q: EventsQuery) => {
    const where = ['t >= ?', 't < ?'];
    const params: unknown[] = [q.from, q.to];
    const and = (clause: string, param: unknown) => {
      where.push(clause);
      params.push(param);
    };
    if (q.tid !== undefined) and('tid = ?', q.tid);
    if (q.rid !== undefined) and('rid = ?', q.rid);
    if (q.rids !== undefined) and('rid IN (SELECT value FROM json_each(?))', JSON.stringify(q.rids));
    params.push(q.limit ?? -1); // a negative LIMIT is "no limit" in SQLite
    const sql = `SELECT body FROM events WHERE ${where.join(' AND ')} ORDER BY t, id LIMIT ?`;
    let stmt = eventQueries.get(sql);
    if (!stmt) eventQueries.set(sql, (stmt = db.prepare(sql)));
    return stmt.all(...params);
  };

  async function deleteInChunks(stmt: Database.Statement, cutoff: number): Promise<number> {
    let total = 0;
    for (;;) {
      if (closed) throw new StoreError('STORE_CLOSED', 'closed during retention');
      const n = stmt.run(cutoff, chunk).changes;
      total += n;
      if (n < chunk) return total;
      await yieldToLoop();
    }
  }

  const store: Store = {
    writeMinutes(rows, checkpoint) {
      return call(() => {
        for (const row of rows) {
          const why = invalidMinuteReason(row);
          if (why) throw new StoreError('STORE_INVALID_ROW', why);
        }
        if (rows.length > 0 || checkpoint) writeMinutesTx(rows, checkpoint);
      });
    },
    writeEvents(events, checkpoint) {
      return call(() => {
        for (const e of events) {
          const why = invalidEventReason(e);
          if (why) throw new StoreError('STORE_INVALID_ROW', why);
        }
        if (events.length > 0 || checkpoint) writeEventsTx(events, checkpoint);
      });
    },
    readCheckpoint(name) {
      return call(() => getMeta.get(checkpointKey(name))?.value);
    },
    writeCheckpoint(checkpoint) {
      return call(() => void setMeta.run(checkpointKey(checkpoint.name), checkpoint.value));
    },
    openConnections(since) {
      return call(() => unclosedOpens.all(since, since).map((r) => JSON.parse(r.body) as ProbeEventOf<'open'>));
    },
    readMinutes(q: MinutesQuery) {
      return call(() => tiers.readMinutes(q));
    },
    readMinutesPage(q: MinutesPageQuery) {
      return call(() => {
        if (!(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        return tiers.readMinutesPage(q);
      });
    },
    async rollUp(now): Promise<RollupCounts> {
      await call(() => undefined);
      const counts: RollupCounts = { hours: 0, batches: 0, through: tiers.position() };
      try {
        for (;;) {
          if (closed) throw new StoreError('STORE_CLOSED', 'closed during the roll-up');
          const done = tiers.rollBatch(now);
          if (!done) break;
          counts.hours += done.rows;
          counts.batches++;
          await yieldToLoop();
        }
      } catch (error) {
        throw fromSqliteError(error);
      }
      counts.through = tiers.position();
      return counts;
    },
    readEvents(q: EventsQuery) {
      return call(() => {
        if (q.rids?.length === 0 || q.limit === 0) return [];
        if (q.limit !== undefined && !(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        return eventQuery(q).map((r) => JSON.parse(r.body) as LifecycleEvent);
      });
    },
    readClaimedAuthFailures(q) {
      return call(() => {
        if (!(Number.isSafeInteger(q.limit) && q.limit > 0)) throw new StoreError('STORE_INVALID_ROW', `limit ${q.limit} is not a positive whole number`);
        const rid = q.claimedRid ?? null;
        return claimedAuthFails.all(q.from, q.to, q.claimedTid, rid === null ? 0 : 1, rid, q.limit).map((r) => JSON.parse(r.body) as ProbeEventOf<'auth_fail'>);
      });
    },
    knownTerminals(since) {
      return call(
        () =>
          new Map(
            terminalsSince.all(since).map((r): [string, KnownTerminal] => [terminalKey(r.rid, r.tid), r.last_close === null ? { rid: r.rid, tid: r.tid, lastSeen: r.last_seen } : { rid: r.rid, tid: r.tid, lastSeen: r.last_seen, lastClose: r.last_close }]),
          ),
      );
    },
    async retention(now): Promise<RetentionCounts> {
      // Minutes go only once their hours are rolled: roll what is settled first.
      await store.rollUp(now);
      try {
        const cut = tiers.cutoffs(now, policy);
        // Recorded before deleting, so a read between chunks already takes those hours from the hour tier.
        tiers.markMinutesFrom(cut.minutes);
        return {
          minutes: await deleteInChunks(deleteMinutes, cut.minutes),
          hours: await deleteInChunks(deleteHours, cut.hours),
          events: await deleteInChunks(deleteEvents, now - policy.eventsMs),
          terminals: await deleteInChunks(deleteTerminals, now - policy.terminalsMs),
        };
      } catch (error) {
        throw fromSqliteError(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        // The worker's connection must be gone first: closing the last connection checkpoints and removes the WAL.
        await checkpointer?.stop();
        setMeta.run('clean_shutdown', '1');
      } catch (error) {
        throw fromSqliteError(error);
      } finally {
        db.close();
        lock.release();
      }
    },
  };
  return { store, recovered, file };
}

function parseMinute(r: MinuteRow): RestaurantMinute {
  return decodeRow(r.rid, r.minute, r);
}
