import { Fragment, useState } from 'react';
import type { AlertEpisode } from '../../../../protocol/alerts.ts';
import { formatClock, formatDuration } from '../../../lib/format.ts';
import { endLabel, formatAlertValue, subjectLabel } from '../model/alert-rows.ts';
import { ColumnHeads } from './column-heads.tsx';
import { DeliveryLog } from './delivery-log.tsx';

/** Episodes, newest first: what fired, when, the values, when and why it ended, and its webhook deliveries. */
export function AlertHistoryTable({ history, now }: { history: readonly AlertEpisode[]; now: number }) {
  const [open, setOpen] = useState<string | null>(null);
  if (history.length === 0) return <p className="text-sm text-muted">Nothing has fired yet.</p>;
  return (
    <table className="w-full text-left text-sm" data-testid="alert-history">
      <caption className="sr-only">Alert history, newest first</caption>
      <thead className="text-xs uppercase tracking-wide text-muted">
        <ColumnHeads names={['Fired', 'Alert', 'Subject', 'At fire / worst', 'Lasted', 'Ended']} actions />
      </thead>
      <tbody>
        {history.map((e) => (
          <Fragment key={e.id}>
            <tr className="border-b border-line/60" data-testid="alert-episode">
              <td className="px-2 py-1 text-muted">{formatClock(e.firedAt)}</td>
              <th scope="row" className="px-2 py-1 font-medium">{e.name}</th>
              <td className="px-2 py-1 break-all">{subjectLabel(e.subject)}</td>
              <td className="px-2 py-1">
                {formatAlertValue(e.metric, e.valueAtFire)} / {formatAlertValue(e.metric, e.worst)}
              </td>
              <td className="px-2 py-1">{formatDuration((e.resolvedAt ?? now) - e.firedAt)}</td>
              <td className="px-2 py-1">{e.resolvedAt === null || e.endedBy === null ? <span className="font-semibold text-bad">firing</span> : `${formatClock(e.resolvedAt)} (${endLabel[e.endedBy]})`}</td>
              <td className="px-2 py-1">
                <button type="button" className="rounded border border-line px-2 py-0.5 text-xs hover:bg-raised" aria-expanded={open === e.id} onClick={() => setOpen((o) => (o === e.id ? null : e.id))} data-testid="open-episode-deliveries">
                  Deliveries
                </button>
              </td>
            </tr>
            {open === e.id && (
              <tr className="border-b border-line/60 bg-raised/40">
                <td colSpan={7}>
                  <DeliveryLog episode={e.id} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
