import { Link } from 'react-router';
import type { AlertStatus } from '../../../../protocol/alerts.ts';
import { formatAgo } from '../../../lib/format.ts';
import { useNow } from '../../../live/use-live.ts';
import { formatAlertValue, phaseLabel, sortActive, subjectHref, subjectLabel } from '../model/alert-rows.ts';

const phaseTone: Record<AlertStatus['phase'], string> = {
  firing: 'text-bad font-semibold',
  pending: 'text-warn',
  silenced: 'text-muted',
  closed: 'text-muted',
  resolved: 'text-ok',
};

/** Alerts not inactive now: firing first. Every id and name is text. */
export function ActiveAlertsTable({ active }: { active: readonly AlertStatus[] }) {
  const now = useNow();
  if (active.length === 0) return <p className="text-sm text-muted">No alert is firing, pending or held.</p>;
  return (
    <table className="w-full text-left text-sm" data-testid="active-alerts">
      <caption className="sr-only">Alerts now, firing first</caption>
      <thead className="text-xs uppercase tracking-wide text-muted">
        <tr className="border-b border-line">
          <th scope="col" className="px-2 py-1">State</th>
          <th scope="col" className="px-2 py-1">Alert</th>
          <th scope="col" className="px-2 py-1">Subject</th>
          <th scope="col" className="px-2 py-1">Severity</th>
          <th scope="col" className="px-2 py-1">Value</th>
          <th scope="col" className="px-2 py-1">Since</th>
        </tr>
      </thead>
      <tbody>
        {sortActive(active).map((s) => {
          const href = subjectHref(s.subject);
          return (
            <tr key={`${s.rule}|${subjectLabel(s.subject)}`} className="border-b border-line/60" data-phase={s.phase} data-testid="active-alert">
              <td className={`px-2 py-1 ${phaseTone[s.phase]}`}>{phaseLabel[s.phase]}</td>
              <th scope="row" className="px-2 py-1 font-medium">{s.name}</th>
              <td className="px-2 py-1 break-all">{href ? <Link to={href} className="text-accent hover:underline">{subjectLabel(s.subject)}</Link> : subjectLabel(s.subject)}</td>
              <td className="px-2 py-1">{s.severity}</td>
              <td className="px-2 py-1">{formatAlertValue(s.metric, s.value)}</td>
              <td className="px-2 py-1 text-muted">{formatAgo(s.since, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
