/** The event feed as filtered in the URL: by event type, by restaurant. */
import type { LiveEventType } from '../../../../protocol/live.ts';
import type { FeedEntry } from '../../../live/event-feed.ts';

export function filterFeed(entries: readonly FeedEntry[], type: LiveEventType | null, rid: string, limit = 200): FeedEntry[] {
  const out: FeedEntry[] = [];
  for (const entry of entries) {
    if (type && entry.event.type !== type) continue;
    if (rid && entry.event.rid !== rid) continue;
    out.push(entry);
    if (out.length >= limit) break;
  }
  return out;
}

/** Entries that arrived since `pausedAtN` (the newest `n` when the feed was paused). */
export function newSince(entries: readonly FeedEntry[], pausedAtN: number): number {
  let count = 0;
  for (const entry of entries) if (entry.n > pausedAtN) count++;
  return count;
}
