import { memo } from 'react';
import { Link } from 'react-router';
import type { LiveEvent } from '../../protocol/live.ts';
import { eventDetail, eventTypeLabel, isTrouble } from '../lib/describe-event.ts';
import { formatClock } from '../lib/format.ts';
import { terminalPath } from '../lib/terminal-links.ts';

/**
 * One lifecycle event. Ids and reasons come from terminals: they are rendered as React text
 * children and URL-encoded in links, never as markup.
 */
export const EventRow = memo(function EventRow({ event }: { event: LiveEvent }) {
  const detail = eventDetail(event);
  return (
    <li className="grid grid-cols-[4.5rem_7rem_minmax(0,1fr)] gap-2 border-b border-line/60 px-2 py-1 text-sm" data-event-type={event.type}>
      <time className="text-muted" dateTime={new Date(event.t).toISOString()}>
        {formatClock(event.t)}
      </time>
      <span className={isTrouble(event) ? 'font-medium text-bad' : 'text-ok'}>{eventTypeLabel[event.type]}</span>
      <span className="min-w-0 truncate">
        {event.rid !== undefined && (
          <Link to={`/restaurants/${encodeURIComponent(event.rid)}`} className="text-accent hover:underline">
            {event.rid}
          </Link>
        )}
        {event.tid !== undefined && (
          <>
            {' · '}
            {/* A terminal is (rid, tid); a refused token naming no restaurant gets the old address, which resolves or refuses the id. */}
            <Link to={event.rid !== undefined ? terminalPath(event.rid, event.tid) : `/terminals/${encodeURIComponent(event.tid)}`} className="text-accent hover:underline">
              {event.tid}
            </Link>
          </>
        )}
        {detail && <span className="text-muted"> {detail}</span>}
      </span>
    </li>
  );
});
