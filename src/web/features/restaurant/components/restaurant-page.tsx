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
import { isStabilityPeriod } from '../model/stability-tab.ts';
import { RestaurantEvents } from './restaurant-events.tsx';
import { TerminalTable } from './terminal-table.tsx';

const RestaurantCharts = lazy(() => import('./restaurant-charts.tsx'));
const StabilityTab = lazy(() => import('./stability-tab.tsx').then((m) => ({ default: m.StabilityTab })));

/** `/restaurants/:rid?window=1h|24h|7d`: live figures, terminals, history, events; `?tab=stability&period=30d`: the stability tab. */
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
  const rawPeriod = params.get('period');
  // The stability tab reads the store, so it opens for a restaurant of the scope with no live terminal
  // (a manager's list names it; a fleet-wide viewer may ask for any id). The hub checks again.
  const stabilityTab = params.get('tab') === 'stability' && scope !== null && (scope.restaurants === null || scope.restaurants.includes(rid));
  if (stabilityTab) {
    return (
      <div className="space-y-4" data-testid="restaurant-page" data-rid={rid}>
        <RestaurantHeader rid={rid} status={figures?.status} tab="stability" onTab={(t) => setParams((prev) => withParam(prev, 'tab', t === 'live' ? null : t), { replace: true })} />
        <Suspense fallback={<p className="text-sm text-muted">Loading stability…</p>}>
          <StabilityTab rid={rid} period={isStabilityPeriod(rawPeriod) ? rawPeriod : '30d'} onPeriod={(p) => setParams((prev) => withParam(prev, 'period', p === '30d' ? null : p), { replace: true })} />
        </Suspense>
      </div>
    );
  }

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
      <RestaurantHeader rid={rid} status={figures.status} tab="live" onTab={(t) => setParams((prev) => withParam(prev, 'tab', t === 'live' ? null : t), { replace: true })} />
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

function RestaurantHeader({ rid, status, tab, onTab }: { rid: string; status: Parameters<typeof StatusBadge>[0]['status'] | undefined; tab: 'live' | 'stability'; onTab: (t: 'live' | 'stability') => void }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/" className="text-accent hover:underline">
          Fleet
        </Link>{' '}
        / <span className="break-all">{rid}</span>
      </nav>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="break-all text-2xl font-semibold">{rid}</h1>
        {status && <StatusBadge status={status} />}
        <div role="group" aria-label="View" className="flex gap-1">
          {(['live', 'stability'] as const).map((t) => (
            <button key={t} type="button" aria-pressed={t === tab} onClick={() => onTab(t)} className={`rounded border px-2 py-0.5 text-sm ${t === tab ? 'border-accent bg-accent/15' : 'border-line text-muted'}`}>
              {t === 'live' ? 'Live' : 'Stability'}
            </button>
          ))}
        </div>
      </div>
    </>
  );
}

function withParam(params: URLSearchParams, key: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null) next.delete(key);
  else next.set(key, value);
  return next;
}

/** The default window (1h) stays out of the URL. */
function withWindow(params: URLSearchParams, w: WindowName): URLSearchParams {
  const next = new URLSearchParams(params);
  if (w === '1h') next.delete('window');
  else next.set('window', w);
  return next;
}
