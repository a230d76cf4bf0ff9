import { lazy, Suspense } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { KpiTile } from '../../../components/kpi-tile.tsx';
import { LiveFigures } from '../../../components/live-figures.tsx';
import { NotInScope, ScopeId } from '../../../components/not-in-scope.tsx';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { isNotInScope } from '../../../lib/api-client.ts';
import { useLive, useLiveInterest } from '../../../live/use-live.ts';
import { useRestaurantTerminals } from '../api/get-restaurant.ts';
import { restaurantAccess } from '../model/access.ts';
import { isWindowName, windows, type WindowName } from '../model/restaurant-series.ts';
import { restaurantTiles } from '../model/restaurant-tiles.ts';
import { RestaurantEvents } from './restaurant-events.tsx';
import { TerminalTable } from './terminal-table.tsx';

const RestaurantCharts = lazy(() => import('./restaurant-charts.tsx'));

/** `/restaurants/:rid?window=1h|24h|7d`: live figures, terminals, history, events. */
export function RestaurantPage() {
  const rid = useParams().rid ?? '';
  const [params, setParams] = useSearchParams();
  const windowParam = params.get('window');
  const span: WindowName = isWindowName(windowParam) ? windowParam : '1h';
  const scope = useLive((s) => s.scope);
  const figures = useLive((s) => s.restaurants.get(rid));
  // The hub patches this restaurant at full rate while the page is open (live/live-interest.ts).
  useLiveInterest('restaurant-page', [rid]);
  const access = restaurantAccess(rid, scope, figures !== undefined);
  const terminals = useRestaurantTerminals(rid, access === 'allowed');

  if (access === 'not_in_scope' || isNotInScope(terminals.error)) {
    return (
      <NotInScope>
        <ScopeId id={rid} /> is not among the restaurants your sign-in link covers, or does not exist.
      </NotInScope>
    );
  }
  if (access === 'pending' || !figures) return <p className="text-muted">Waiting for the live snapshot…</p>;

  return (
    <div className="space-y-4" data-testid="restaurant-page" data-rid={rid}>
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/" className="text-accent hover:underline">
          Fleet
        </Link>{' '}
        / <span className="break-all">{rid}</span>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="break-all text-2xl font-semibold">{rid}</h1>
        <StatusBadge status={figures.status} />
      </div>
      <LiveFigures label="Restaurant figures" className="grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-6">
        {restaurantTiles(figures).map((t) => (
          <KpiTile key={t.id} {...t} />
        ))}
      </LiveFigures>
      <section aria-labelledby="terminals-title" className="rounded-md border border-line bg-surface">
        <h2 id="terminals-title" className="border-b border-line p-2 font-medium">
          Terminals
        </h2>
        {terminals.isPending ? (
          <p className="p-3 text-sm text-muted">Loading terminals…</p>
        ) : terminals.isError ? (
          <p className="p-3 text-sm text-bad">Terminals could not be loaded: {terminals.error.message}</p>
        ) : terminals.data.length === 0 ? (
          <p className="p-3 text-sm text-muted">No terminal seen in the last 7 days.</p>
        ) : (
          <TerminalTable rows={terminals.data} />
        )}
      </section>
      <section aria-labelledby="history-title" className="space-y-2">
        <div className="flex items-center gap-3">
          <h2 id="history-title" className="font-medium">
            History
          </h2>
          <div role="group" aria-label="Window" className="flex gap-1">
            {(Object.keys(windows) as WindowName[]).map((w) => (
              <button
                key={w}
                type="button"
                aria-pressed={w === span}
                onClick={() => setParams((prev) => withWindow(prev, w), { replace: true })}
                className={`rounded border px-2 py-0.5 text-xs ${w === span ? 'border-accent bg-accent/15' : 'border-line text-muted'}`}
              >
                {w}
              </button>
            ))}
          </div>
        </div>
        <Suspense fallback={<p className="text-sm text-muted">Loading charts…</p>}>
          <RestaurantCharts rid={rid} window={span} />
        </Suspense>
      </section>
      <RestaurantEvents rid={rid} />
    </div>
  );
}

/** The default window (1h) stays out of the URL. */
function withWindow(params: URLSearchParams, w: WindowName): URLSearchParams {
  const next = new URLSearchParams(params);
  if (w === '1h') next.delete('window');
  else next.set('window', w);
  return next;
}
