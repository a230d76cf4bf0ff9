/**
 * Alert history: every firing episode — what fired, when, the values, when and why it ended.
 * Behind a small interface so the hub does not care where it lives: in memory (tests, a hub
 * without a data folder) or SQLite in a file of its own (alert-history-sqlite.ts), apart from the
 * telemetry store, whose schema other backends (PostgreSQL) must follow.
 */
import type { AlertEpisode } from '../../protocol/alerts.ts';

export interface HistoryQuery {
  /** Restaurants whose episodes are wanted; undefined = all, gateway and fleet alerts included. */
  rids?: readonly string[];
  /** Episodes fired at or after this time. */
  since?: number;
  limit: number;
}

export interface AlertHistory {
  /** Insert an episode on `firing`, replace it on `resolved` (same id). Synchronous and short. */
  record(episode: AlertEpisode): void;
  /** Newest first. A scoped query (rids given) never returns gateway or fleet alerts. */
  list(q: HistoryQuery): AlertEpisode[];
  close(): void;
}

export const ridOfEpisode = (e: AlertEpisode): string | null => (e.subject.kind === 'restaurant' ? e.subject.rid : null);

export function memoryAlertHistory(max = 10_000): AlertHistory {
  const episodes = new Map<string, AlertEpisode>();
  return {
    record(e) {
      episodes.delete(e.id);
      episodes.set(e.id, e);
      if (episodes.size > max) episodes.delete(episodes.keys().next().value as string);
    },
    list(q) {
      const out: AlertEpisode[] = [];
      for (const e of episodes.values()) {
        if (q.since !== undefined && e.firedAt < q.since) continue;
        if (q.rids !== undefined) {
          const rid = ridOfEpisode(e);
          if (rid === null || !q.rids.includes(rid)) continue;
        }
        out.push(e);
      }
      out.sort((a, b) => b.firedAt - a.firedAt || (a.id < b.id ? -1 : 1));
      return out.slice(0, q.limit);
    },
    close() {},
  };
}
