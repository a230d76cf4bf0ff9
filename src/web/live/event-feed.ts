/**
 * The live event feed: the newest lifecycle events first, bounded, never showing one event twice.
 *
 * Events reach us on snapshots (the hub's recent history) and deltas (new ones), and again after a
 * resume or a resync snapshot — and a restarted hub numbers its events afresh, so `id` alone cannot
 * de-duplicate across epochs. The key is therefore what the event *is*: gateway, connection,
 * type, time and its details.
 */
import type { LiveEvent } from '../../protocol/live.ts';

export interface FeedEntry {
  /** Local, increasing order of arrival: "N new since you paused" is a subtraction. */
  readonly n: number;
  readonly key: string;
  readonly event: LiveEvent;
}

export interface FeedState {
  /** Newest first, by event time. */
  readonly entries: readonly FeedEntry[];
  readonly nextN: number;
  readonly capacity: number;
}

export function emptyFeed(capacity = 500): FeedState {
  return { entries: [], nextN: 1, capacity };
}

export function eventKey(e: LiveEvent): string {
  switch (e.type) {
    case 'open':
      return `open|${e.gw}|${e.conn}|${e.t}`;
    case 'close':
      return `close|${e.gw}|${e.conn}|${e.t}|${e.code}`;
    case 'auth_fail':
      return `auth_fail|${e.gw}|${e.t}|${e.reason}|${e.rid ?? ''}|${e.tid ?? ''}`;
    case 'limit':
      return `limit|${e.gw}|${e.conn}|${e.t}|${e.kind}|${e.detail}`;
  }
}

/**
 * Adds events given oldest first; returns the same feed when nothing was new. A duplicate has the
 * same time as the event it repeats, and the entries are in time order: it is looked up there
 * (a binary search) rather than in a set of every key, which had to be copied on every tick.
 */
export function addEvents(feed: FeedState, events: readonly LiveEvent[]): FeedState {
  if (events.length === 0) return feed;
  const fresh: FeedEntry[] = [];
  const seen = new Set<string>();
  let n = feed.nextN;
  for (const event of events) {
    const key = eventKey(event);
    if (seen.has(key) || holds(feed.entries, event.t, key)) continue;
    seen.add(key);
    fresh.push({ n: n++, key, event });
  }
  if (fresh.length === 0) return feed;
  fresh.reverse();
  const merged = [...fresh, ...feed.entries];
  // Events arrive in time order per hub, but a snapshot's history may interleave with what we
  // hold: keep the feed sorted by event time (stable, so arrival order breaks ties).
  if (!isNewestFirst(merged)) merged.sort((a, b) => b.event.t - a.event.t || b.n - a.n);
  return { ...feed, entries: merged.length > feed.capacity ? merged.slice(0, feed.capacity) : merged, nextN: n };
}

/** Whether entries (newest first) hold the event of time `t` and key `key`. */
function holds(entries: readonly FeedEntry[], t: number, key: string): boolean {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.event.t > t) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < entries.length && entries[i]!.event.t === t; i++) if (entries[i]!.key === key) return true;
  return false;
}

function isNewestFirst(entries: readonly FeedEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.event.t < entries[i]!.event.t) return false;
  return true;
}
