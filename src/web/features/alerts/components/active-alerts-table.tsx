import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import type { AlertStatus } from '../../../../protocol/alerts.ts';
import { formatAgo } from '../../../lib/format.ts';
import { useNow } from '../../../live/use-live.ts';
import { useCanSilence } from '../api/silences.ts';
import { formatAlertValue, phaseLabel, sortActive, subjectHref, subjectLabel } from '../model/alert-rows.ts';
import { ColumnHeads } from './column-heads.tsx';
import { DeliveryLog } from './delivery-log.tsx';
import { SilenceForm } from './silence-form.tsx';

const phaseTone: Record<AlertStatus['phase'], string> = {
  firing: 'text-bad font-semibold',
  pending: 'text-warn',
  silenced: 'text-muted',
  closed: 'text-muted',
  resolved: 'text-ok',
};

const action = 'rounded border border-line px-2 py-0.5 text-xs hover:bg-raised';

/** Alerts not inactive now: firing first; a firing one opens its delivery log or (engineers) a silence form. Every id and name is text. */
export function ActiveAlertsTable({ active }: { active: readonly AlertStatus[] }) {
  const now = useNow();
  const canSilence = useCanSilence();
  const [open, setOpen] = useState<{ key: string; what: 'silence' | 'deliveries' } | null>(null);
  if (active.length === 0) return <p className="text-sm text-muted">No alert is firing, pending or held.</p>;
  const toggle = (key: string, what: 'silence' | 'deliveries') => setOpen((o) => (o?.key === key && o.what === what ? null : { key, what }));
  return (
    <table className="w-full text-left text-sm" data-testid="active-alerts">
      <caption className="sr-only">Alerts now, firing first</caption>
      <thead className="text-xs uppercase tracking-wide text-muted">
        <ColumnHeads names={['State', 'Alert', 'Subject', 'Severity', 'Value', 'Since']} actions />
      </thead>
      <tbody>
        {sortActive(active).map((s) => {
          const href = subjectHref(s.subject);
          const key = `${s.rule}|${subjectLabel(s.subject)}`;
          const silenceable = canSilence && (s.phase === 'firing' || s.phase === 'pending');
          return (
            <Fragment key={key}>
              <tr className="border-b border-line/60" data-phase={s.phase} data-testid="active-alert">
                <td className={`px-2 py-1 ${phaseTone[s.phase]}`}>{phaseLabel[s.phase]}</td>
                <th scope="row" className="px-2 py-1 font-medium">{s.name}</th>
                <td className="px-2 py-1 break-all">{href ? <Link to={href} className="text-accent hover:underline">{subjectLabel(s.subject)}</Link> : subjectLabel(s.subject)}</td>
                <td className="px-2 py-1">{s.severity}</td>
                <td className="px-2 py-1">{formatAlertValue(s.metric, s.value)}</td>
                <td className="px-2 py-1 text-muted">{formatAgo(s.since, now)}</td>
                <td className="flex gap-1 px-2 py-1">
                  {silenceable && (
                    <button type="button" className={action} aria-expanded={open?.key === key && open.what === 'silence'} onClick={() => toggle(key, 'silence')} data-testid="open-silence">
                      Silence…
                    </button>
                  )}
                  {s.episode !== null && (
                    <button type="button" className={action} aria-expanded={open?.key === key && open.what === 'deliveries'} onClick={() => toggle(key, 'deliveries')} data-testid="open-deliveries">
                      Deliveries
                    </button>
                  )}
                </td>
              </tr>
              {open?.key === key && (
                <tr className="border-b border-line/60 bg-raised/40">
                  <td colSpan={7}>{open.what === 'silence' ? <SilenceForm status={s} onDone={() => setOpen(null)} /> : s.episode !== null ? <DeliveryLog episode={s.episode} /> : null}</td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
