import { useAlerts } from '../api/get-alerts.ts';
import { useNow } from '../../../live/use-live.ts';
import { ActiveAlertsTable } from './active-alerts-table.tsx';
import { AlertHistoryTable } from './alert-history-table.tsx';
import { NotificationToggle } from './notification-toggle.tsx';
import { SilencesList } from './silences-list.tsx';

/** `/alerts`: the alerts now, the silences, the history and the rules, in the viewer's scope (docs/alerts.md). */
export function AlertsPage() {
  const { data, error, isPending } = useAlerts();
  const now = useNow();
  if (isPending) return <p className="text-muted">Loading alerts…</p>;
  if (error) return <p className="text-bad">Alerts could not be loaded: {error.message}</p>;
  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="alerts-now">
        <h1 id="alerts-now" className="mb-2 text-lg font-semibold">
          Alerts <span className="text-muted">({data.firing} firing)</span>
        </h1>
        <ActiveAlertsTable active={data.active} />
      </section>
      <NotificationToggle />
      <section aria-labelledby="alerts-silences">
        <h2 id="alerts-silences" className="mb-2 font-semibold">Silences</h2>
        <SilencesList />
      </section>
      <section aria-labelledby="alerts-history">
        <h2 id="alerts-history" className="mb-2 font-semibold">History</h2>
        <AlertHistoryTable history={data.history} now={now} />
      </section>
      <section aria-labelledby="alerts-rules">
        <h2 id="alerts-rules" className="mb-2 font-semibold">Rules</h2>
        <ul className="text-sm" data-testid="alert-rules">
          {data.rules.map((r) => (
            <li key={r.id}>
              <span className="font-medium">{r.name}</span> <span className="text-muted">({r.id}, {r.severity}, {r.metric})</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
