import { NavLink } from 'react-router';
import { useAlerts } from '../api/get-alerts.ts';
import { useAlertNotifications } from './use-alert-notifications.ts';

/** "Alerts 3" in the header: the firing count in the viewer's scope, linking to the list; and, once allowed, browser notifications. */
export function AlertCount() {
  const { data } = useAlerts();
  useAlertNotifications(data);
  const firing = data?.firing ?? 0;
  return (
    <NavLink
      to="/alerts"
      className={({ isActive }) => `flex items-center gap-1 rounded px-2 py-1 text-sm ${isActive ? 'bg-raised font-medium text-fg' : 'text-muted hover:text-fg'}`}
      data-testid="alert-count"
      data-firing={firing}
    >
      Alerts
      <span className={`rounded-full px-1.5 text-xs font-semibold ${firing > 0 ? 'bg-bad text-page' : 'bg-raised text-muted'}`} aria-label={`${firing} firing`}>
        {firing}
      </span>
    </NavLink>
  );
}
