import { memo, useMemo } from 'react';
import type { Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock, formatDuration } from '../../../lib/format.ts';
import { attemptWords, disconnectRows, disconnectWords } from '../model/timeline-words.ts';
import { rowPx, useRowWindow } from './use-row-window.ts';

/**
 * Every disconnect in the window with its code, cause and reason, how long the terminal stayed
 * down and the attempt that followed: the accessible twin of the connection bar. Newest first; a
 * flapping day has thousands, drawn a screenful at a time.
 */
export const DisconnectList = memo(function DisconnectList({ timeline }: { timeline: Timeline }) {
  const rows = useMemo(() => disconnectRows(timeline).reverse(), [timeline]);
  const { scrollRef, rows: shown, top, bottom } = useRowWindow(rows.length);
  return (
    <section aria-labelledby="disconnects-title" className="rounded-md border border-line bg-surface">
      <h2 id="disconnects-title" className="border-b border-line p-2 font-medium">
        Disconnects ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p className="p-3 text-sm text-muted">No disconnect in this window.</p>
      ) : (
        <div ref={scrollRef} className="max-h-[28rem] overflow-auto">
          <table className="w-full table-fixed text-left text-sm" data-testid="disconnect-table" aria-rowcount={rows.length + 1}>
            <thead className="sticky top-0 bg-surface text-xs text-muted">
              <tr>
                <th scope="col" className="w-24 px-2 py-1">Time</th>
                <th scope="col" className="w-16 px-2 py-1">Code</th>
                <th scope="col" className="px-2 py-1">What happened</th>
                <th scope="col" className="w-32 px-2 py-1">Down for</th>
                <th scope="col" className="w-1/3 px-2 py-1">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
              {shown.map(({ index }) => {
                const { key, d, downMs, ongoing, next } = rows[index]!;
                const what = disconnectWords(d);
                const down = downMs === null ? (d.overlapping ? 'already replaced' : '—') : `${formatDuration(downMs)}${ongoing ? ' so far' : ''}`;
                const after = next ? attemptWords(next) : '—';
                return (
                  <tr key={key} style={{ height: rowPx }} data-index={index} aria-rowindex={index + 2} className="border-t border-line/60 whitespace-nowrap" data-code={d.code}>
                    <td className="px-2 py-1 text-muted">
                      <time dateTime={new Date(d.t).toISOString()}>{formatClock(d.t)}</time>
                    </td>
                    <td className="px-2 py-1 font-medium">{d.code}</td>
                    <td className="truncate px-2 py-1" title={what}>
                      {what}
                    </td>
                    <td className="truncate px-2 py-1">{down}</td>
                    <td className={`truncate px-2 py-1 ${next?.flags.length ? 'font-medium text-warn' : ''}`} title={after}>
                      {after}
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
