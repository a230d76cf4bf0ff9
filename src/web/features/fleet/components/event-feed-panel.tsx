import { useMemo, useState } from 'react';
import type { LiveEventType } from '../../../../protocol/live.ts';
import { EventRow } from '../../../components/event-row.tsx';
import { eventTypeLabel, eventTypes } from '../../../lib/describe-event.ts';
import type { FeedEntry } from '../../../live/event-feed.ts';
import { useLive } from '../../../live/use-live.ts';
import { useUrlText } from '../../../lib/use-url-text.ts';
import { filterFeed, newSince } from '../model/feed-filter.ts';

interface Props {
  type: LiveEventType | null;
  rid: string;
  onType: (type: LiveEventType | null) => void;
  onRid: (rid: string) => void;
}

/**
 * Rows in the page at first; older ones on request. Every row of a scrolled list is repainted when
 * a new event pushes the others down, and at 200 rows that repaint cost more than the rest of a
 * live tick (`npm run bench:ui`). The list is not virtualised: the feed is read as a whole (find in
 * page, screen readers, the e2e specs), and 50 rows already fill it twice.
 */
const rowsAtFirst = 50;

/**
 * Lifecycle events as they happen, newest first. Paused, it holds still (the store keeps
 * collecting) and says how many arrived meanwhile; filters live in the URL.
 */
export function EventFeedPanel({ type, rid, onType, onRid }: Props) {
  const entries = useLive((s) => s.feed.entries);
  const [ridText, setRidText] = useUrlText(rid, onRid);
  const omitted = useLive((s) => s.eventsOmitted);
  const [paused, setPaused] = useState<{ entries: readonly FeedEntry[]; atN: number } | null>(null);
  const [rowCount, setRowCount] = useState(rowsAtFirst);
  const shown = paused ? paused.entries : entries;
  const filtered = useMemo(() => filterFeed(shown, type, rid.trim()), [shown, type, rid]);
  const arrived = paused ? newSince(entries, paused.atN) : 0;
  const rows = filtered.length > rowCount ? filtered.slice(0, rowCount) : filtered;

  const togglePause = (): void => setPaused(paused ? null : { entries, atN: entries[0]?.n ?? 0 });

  return (
    <section aria-labelledby="feed-title" className="flex flex-col rounded-md border border-line bg-surface">
      <div className="flex flex-wrap items-center gap-2 border-b border-line p-2">
        <h2 id="feed-title" className="mr-auto font-medium">
          Live events
        </h2>
        <label className="sr-only" htmlFor="feed-type">
          Event type
        </label>
        <select
          id="feed-type"
          value={type ?? ''}
          onChange={(e) => onType((e.target.value || null) as LiveEventType | null)}
          className="rounded border border-line bg-page px-1 py-1 text-xs"
        >
          <option value="">All types</option>
          {eventTypes.map((t) => (
            <option key={t} value={t}>
              {eventTypeLabel[t]}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="feed-rid">
          Restaurant id
        </label>
        <input
          id="feed-rid"
          type="search"
          value={ridText}
          onChange={(e) => setRidText(e.target.value)}
          placeholder="Restaurant id"
          className="w-28 rounded border border-line bg-page px-2 py-1 text-xs"
          autoComplete="off"
          spellCheck={false}
        />
        <button
          type="button"
          onClick={togglePause}
          aria-pressed={paused !== null}
          className="rounded border border-line px-2 py-1 text-xs hover:bg-raised"
          data-testid="feed-pause"
        >
          {paused ? `Resume${arrived > 0 ? ` (${arrived} new)` : ''}` : 'Pause'}
        </button>
      </div>
      {omitted > 0 && (
        <p className="border-b border-line px-2 py-1 text-xs text-warn">
          {omitted} events were left out of the stream during a burst; the terminal timelines hold them all.
        </p>
      )}
      <div className="h-[572px] overflow-auto">
        <ol aria-label="Lifecycle events, newest first" data-testid="event-feed" data-paused={paused !== null}>
          {filtered.length === 0 ? (
            <li className="p-4 text-sm text-muted">No events{type || rid ? ' match these filters' : ' yet'}.</li>
          ) : (
            rows.map((entry) => <EventRow key={entry.key} event={entry.event} />)
          )}
        </ol>
        {rows.length < filtered.length && (
          <button type="button" onClick={() => setRowCount(filtered.length)} className="m-2 rounded border border-line px-2 py-1 text-xs hover:bg-raised" data-testid="feed-older">
            Show {filtered.length - rows.length} older events
          </button>
        )}
      </div>
    </section>
  );
}
