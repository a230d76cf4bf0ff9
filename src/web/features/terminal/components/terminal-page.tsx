import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { EventRow } from '../../../components/event-row.tsx';
import { useLive } from '../../../live/use-live.ts';

/**
 * `/terminals/:tid` — a placeholder until the drill-down issue builds the timeline and the
 * diagnostic report. Meanwhile it lists this terminal's events from the live feed, so links land
 * somewhere useful.
 */
export function TerminalPage() {
  const tid = useParams().tid ?? '';
  const entries = useLive((s) => s.feed.entries);
  const mine = useMemo(() => entries.filter((e) => e.event.tid === tid).slice(0, 100), [entries, tid]);
  const rid = mine.find((e) => e.event.rid !== undefined)?.event.rid;
  return (
    <div className="space-y-4" data-testid="terminal-page" data-tid={tid}>
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/" className="text-accent hover:underline">
          Fleet
        </Link>
        {rid !== undefined && (
          <>
            {' / '}
            <Link to={`/restaurants/${encodeURIComponent(rid)}`} className="text-accent hover:underline">
              {rid}
            </Link>
          </>
        )}{' '}
        / <span className="break-all">{tid}</span>
      </nav>
      <h1 className="break-all text-2xl font-semibold">Terminal {tid}</h1>
      <p className="text-muted">The connection timeline and diagnostic report of this terminal are coming in a later release.</p>
      <section aria-labelledby="terminal-events-title" className="rounded-md border border-line bg-surface">
        <h2 id="terminal-events-title" className="border-b border-line p-2 font-medium">
          Events seen live
        </h2>
        <ol className="max-h-96 overflow-auto">
          {mine.length === 0 ? <li className="p-3 text-sm text-muted">No events for this terminal since the page opened.</li> : mine.map((e) => <EventRow key={e.key} event={e.event} />)}
        </ol>
      </section>
    </div>
  );
}
