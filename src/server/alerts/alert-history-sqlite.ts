/**
 * Alert history in SQLite, in a file of its own (`alerts.sqlite` beside the store's): one row per
 * episode, the episode itself as JSON (its schema is src/protocol/alerts.ts), with the columns a
 * query filters on. Writes happen on transitions only — a handful a minute — so they run inline.
 */
import Database from 'better-sqlite3';
import { alertEpisodeSchema } from '../../protocol/alerts.ts';
import { ridOfEpisode, type AlertHistory } from './alert-history.ts';

export function sqliteAlertHistory(path: string, keepMs = 90 * 86_400_000): AlertHistory {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS alert_episodes (
    id TEXT PRIMARY KEY,
    rid TEXT,
    fired_at INTEGER NOT NULL,
    resolved_at INTEGER,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS alert_episodes_fired ON alert_episodes (fired_at);
  CREATE INDEX IF NOT EXISTS alert_episodes_rid ON alert_episodes (rid, fired_at);`);
  const upsert = db.prepare('INSERT INTO alert_episodes (id, rid, fired_at, resolved_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET resolved_at = excluded.resolved_at, body = excluded.body');
  const prune = db.prepare('DELETE FROM alert_episodes WHERE fired_at < ?');
  let lastPrune = -Infinity;

  return {
    record(e) {
      upsert.run(e.id, ridOfEpisode(e), e.firedAt, e.resolvedAt, JSON.stringify(e));
      if (e.firedAt - lastPrune > 3_600_000) {
        lastPrune = e.firedAt;
        prune.run(e.firedAt - keepMs);
      }
    },
    list(q) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (q.since !== undefined) {
        where.push('fired_at >= ?');
        args.push(q.since);
      }
      if (q.rids !== undefined) {
        if (q.rids.length === 0) return [];
        where.push(`rid IN (${q.rids.map(() => '?').join(', ')})`);
        args.push(...q.rids);
      }
      const sql = `SELECT body FROM alert_episodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fired_at DESC, id LIMIT ?`;
      const rows = db.prepare(sql).all(...args, q.limit) as { body: string }[];
      // A row that no longer matches the schema (a downgrade) is skipped, not served broken.
      return rows.flatMap((r) => {
        const p = alertEpisodeSchema.safeParse(JSON.parse(r.body));
        return p.success ? [p.data] : [];
      });
    },
    close() {
      db.close();
    },
  };
}
