import { formatClock } from '../../../lib/format.ts';
import { useDeliveries } from '../api/silences.ts';
import { attemptLabel, deliveryStateLabel } from '../model/silence-request.ts';
import { ColumnHeads } from './column-heads.tsx';

/** An episode's webhook deliveries: every attempt with its status code, and the next retry. */
export function DeliveryLog({ episode }: { episode: string }) {
  const { data, error, isPending } = useDeliveries(episode);
  if (isPending) return <p className="p-2 text-sm text-muted">Loading deliveries…</p>;
  if (error) return <p className="p-2 text-sm text-bad">Deliveries could not be loaded: {error.message}</p>;
  if (data.deliveries.length === 0) return <p className="p-2 text-sm text-muted" data-testid="delivery-log">No webhook covers this alert: nothing was sent.</p>;
  return (
    <table className="m-2 text-left text-xs" data-testid="delivery-log">
      <caption className="sr-only">Webhook deliveries, oldest first</caption>
      <thead className="uppercase tracking-wide text-muted">
        <ColumnHeads names={['Webhook', 'Sent', 'State', 'Attempts', 'Next retry']} cell="px-2 py-0.5" />
      </thead>
      <tbody>
        {data.deliveries.map((d) => (
          <tr key={d.id} data-testid="delivery" data-state={d.state}>
            <th scope="row" className="px-2 py-0.5 font-medium">{d.webhook}</th>
            <td className="px-2 py-0.5">{d.status}</td>
            <td className={`px-2 py-0.5 ${d.state === 'failed' || d.state === 'dropped' ? 'text-bad' : d.state === 'delivered' ? 'text-ok' : 'text-warn'}`}>{deliveryStateLabel[d.state]}</td>
            <td className="px-2 py-0.5">
              <ol>
                {d.attempts.map((a, i) => (
                  <li key={i} data-testid="delivery-attempt">{attemptLabel(a)}</li>
                ))}
              </ol>
            </td>
            <td className="px-2 py-0.5">{d.nextAttemptAt !== null ? formatClock(d.nextAttemptAt) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
