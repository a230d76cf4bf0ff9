import { useMemo } from 'react';
import { EventRow } from '../../../components/event-row.tsx';
import { useLive } from '../../../live/use-live.ts';

/** This restaurant's lifecycle events from the live feed (since the page opened, plus the hub's recent history). */
export function RestaurantEvents({ rid }: { rid: string }) {
  const entries = useLive((s) => s.feed.entries);
  const mine = useMemo(() => entries.filter((e) => e.event.rid === rid).slice(0, 100), [entries, rid]);
  return (
    <section aria-labelledby="restaurant-events-title" className="rounded-md border border-line bg-surface">
      <h2 id="restaurant-events-title" className="border-b border-line p-2 font-medium">
        Recent events
      </h2>
      <ol className="max-h-96 overflow-auto" aria-label="Recent events, newest first">
        {mine.length === 0 ? <li className="p-3 text-sm text-muted">No events yet.</li> : mine.map((e) => <EventRow key={e.key} event={e.event} />)}
      </ol>
    </section>
  );
}
