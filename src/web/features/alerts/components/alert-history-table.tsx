import type { AlertEpisode } from '../../../../protocol/alerts.ts';
import { formatClock, formatDuration } from '../../../lib/format.ts';
import { endLabel, formatAlertValue, subjectLabel } from '../model/alert-rows.ts';

/** Episodes, newest first: what fired, when, the values, when and why it ended. */
export function AlertHistoryTable({ history, now }: { history: readonly AlertEpisode[]; now: number }) {
  if (history.length === 0) return <p className="text-sm text-muted">Nothing has fired yet.</p>;
  return (
    <table className="w-full text-left text-sm" data-testid="alert-history">
      <caption className="sr-only">Alert history, newest first</caption>
      <thead className="text-xs uppercase tracking-wide text-muted">
        <tr className="border-b border-line">
          <th scope="col" className="px-2 py-1">Fired</th>
          <th scope="col" className="px-2 py-1">Alert</th>
          <th scope="col" className="px-2 py-1">Subject</th>
          <th scope="col" className="px-2 py-1">At fire / worst</th>
          <th scope="col" className="px-2 py-1">Lasted</th>
          <th scope="col" className="px-2 py-1">Ended</th>
        </tr>
      </thead>
      <tbody>
        {history.map((e) => (
          <tr key={e.id} className="border-b border-line/60" data-testid="alert-episode">
            <td className="px-2 py-1 text-muted">{formatClock(e.firedAt)}</td>
            <th scope="row" className="px-2 py-1 font-medium">{e.name}</th>
            <td className="px-2 py-1 break-all">{subjectLabel(e.subject)}</td>
            <td className="px-2 py-1">
              {formatAlertValue(e.metric, e.valueAtFire)} / {formatAlertValue(e.metric, e.worst)}
            </td>
            <td className="px-2 py-1">{formatDuration((e.resolvedAt ?? now) - e.firedAt)}</td>
            <td className="px-2 py-1">{e.resolvedAt === null || e.endedBy === null ? <span className="font-semibold text-bad">firing</span> : `${formatClock(e.resolvedAt)} (${endLabel[e.endedBy]})`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
