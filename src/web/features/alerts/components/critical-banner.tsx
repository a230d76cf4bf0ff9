import { Link } from 'react-router';
import { useAlerts } from '../api/get-alerts.ts';
import { criticalFiring, subjectHref, subjectLabel } from '../model/alert-rows.ts';

/** A banner under the header while critical alerts fire (at most three named, then a count). */
export function CriticalBanner() {
  const { data } = useAlerts();
  const list = criticalFiring(data);
  if (list.length === 0) return null;
  const shown = list.slice(0, 3);
  return (
    <div role="alert" className="border-b border-bad/50 bg-bad/15 px-4 py-2 text-sm" data-testid="critical-banner">
      <span className="font-semibold text-bad">Critical: </span>
      {shown.map((s, i) => {
        const href = subjectHref(s.subject);
        return (
          <span key={`${s.rule}|${subjectLabel(s.subject)}`}>
            {i > 0 ? ' · ' : ''}
            {s.name} — {href ? <Link to={href} className="text-accent hover:underline">{subjectLabel(s.subject)}</Link> : subjectLabel(s.subject)}
          </span>
        );
      })}
      {list.length > shown.length ? <span> and {list.length - shown.length} more</span> : null}{' '}
      <Link to="/alerts" className="ml-2 text-accent hover:underline">
        All alerts
      </Link>
    </div>
  );
}
