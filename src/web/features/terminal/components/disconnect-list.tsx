import { memo, useMemo, useState } from 'react';
import type { Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock, formatDuration } from '../../../lib/format.ts';
import { attemptWords, disconnectRows, disconnectWords } from '../model/timeline-words.ts';

/** Rows drawn at first: a flapping day has thousands, and the newest matter most. */
const firstRows = 200;

/**
 * Every disconnect in the window with its code, cause and reason, how long the terminal stayed
 * down and the attempt that followed: the accessible twin of the connection bar. Newest first.
 */
export const DisconnectList = memo(function DisconnectList({ timeline }: { timeline: Timeline }) {
  const rows = useMemo(() => disconnectRows(timeline).reverse(), [timeline]);
  const [all, setAll] = useState(false);
  const shown = all ? rows : rows.slice(0, firstRows);
  return (
    <section aria-labelledby="disconnects-title" className="rounded-md border border-line bg-surface">
      <h2 id="disconnects-title" className="border-b border-line p-2 font-medium">
        Disconnects ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p className="p-3 text-sm text-muted">No disconnect in this window.</p>
      ) : (
        <div className="max-h-[28rem] overflow-auto">
          <table className="w-full text-left text-sm" data-testid="disconnect-table">
            <thead className="sticky top-0 bg-surface text-xs text-muted">
              <tr>
                <th scope="col" className="px-2 py-1">Time</th>
                <th scope="col" className="px-2 py-1">Code</th>
                <th scope="col" className="px-2 py-1">What happened</th>
                <th scope="col" className="px-2 py-1">Down for</th>
                <th scope="col" className="px-2 py-1">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ key, d, downMs, ongoing, next }) => (
                <tr key={key} className="border-t border-line/60 align-top" data-code={d.code}>
                  <td className="px-2 py-1 text-muted">
                    <time dateTime={new Date(d.t).toISOString()}>{formatClock(d.t)}</time>
                  </td>
                  <td className="px-2 py-1 font-medium">{d.code}</td>
                  <td className="px-2 py-1 break-words">{disconnectWords(d)}</td>
                  <td className="px-2 py-1">{downMs === null ? (d.overlapping ? 'already replaced' : '—') : `${formatDuration(downMs)}${ongoing ? ' so far' : ''}`}</td>
                  <td className={`px-2 py-1 ${next?.flags.length ? 'font-medium text-warn' : ''}`}>{next ? attemptWords(next) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!all && rows.length > firstRows && (
            <button type="button" onClick={() => setAll(true)} className="m-2 rounded border border-line px-2 py-0.5 text-xs">
              Show all {rows.length}
            </button>
          )}
        </div>
      )}
    </section>
  );
});
