import { memo } from 'react';
import type { Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock } from '../../../lib/format.ts';
import { eventConn, eventWords } from '../model/event-words.ts';
import { rowPx, useRowWindow } from './use-row-window.ts';

/**
 * Every lifecycle event of the window, oldest first, as the store and the live feed gave them
 * (de-duplicated): the raw record behind the bar, the strip and the table of disconnects. Drawn a
 * screenful at a time; the header counts them all.
 */
export const EventList = memo(function EventList({ timeline }: { timeline: Timeline }) {
  const { events } = timeline;
  const { scrollRef, rows, top, bottom } = useRowWindow(events.length);
  return (
    <section aria-labelledby="events-title" className="rounded-md border border-line bg-surface">
      <h2 id="events-title" className="flex items-baseline justify-between border-b border-line p-2 font-medium">
        Events <span className="text-xs font-normal text-muted" data-testid="event-list-count">{`${events.length} events`}</span>
      </h2>
      {events.length === 0 ? (
        <p className="p-3 text-sm text-muted">No event in this window.</p>
      ) : (
        <div ref={scrollRef} className="max-h-[28rem] overflow-auto" data-testid="event-list">
          <table className="w-full table-fixed text-left text-sm" aria-rowcount={events.length + 1}>
            <thead className="sticky top-0 bg-surface text-xs text-muted">
              <tr>
                <th scope="col" className="w-24 px-2 py-1">Time</th>
                <th scope="col" className="w-32 px-2 py-1">Event</th>
                <th scope="col" className="w-48 px-2 py-1">Connection</th>
                <th scope="col" className="px-2 py-1">What happened</th>
              </tr>
            </thead>
            <tbody>
              {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
              {rows.map(({ index }) => {
                const e = events[index]!;
                const words = eventWords(e);
                const conn = eventConn(e) ?? '—';
                return (
                  <tr key={index} style={{ height: rowPx }} data-index={index} data-row="" data-t={e.t} data-type={e.type} aria-rowindex={index + 2} className="border-t border-line/60 whitespace-nowrap">
                    <td className="px-2 py-1 text-muted">
                      <time dateTime={new Date(e.t).toISOString()}>{formatClock(e.t)}</time>
                    </td>
                    <td className="px-2 py-1 font-medium">{e.type}</td>
                    <td className="truncate px-2 py-1 text-muted" title={conn}>
                      {conn}
                    </td>
                    <td className="truncate px-2 py-1" title={words}>
                      {words}
                    </td>
                  </tr>
                );
              })}
              {bottom > 0 && <tr aria-hidden="true" style={{ height: bottom }} />}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});
