import { lazy, Suspense, useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { readFleetParams, withFleetParam, type FleetParamName } from '../model/fleet-params.ts';
import { EventFeedPanel } from './event-feed-panel.tsx';
import { KpiGrid } from './kpi-grid.tsx';
import { RestaurantList } from './restaurant-list.tsx';

// recharts is the largest dependency: the list and the figures must not wait for it.
const FleetCharts = lazy(() => import('./fleet-charts.tsx'));

/** `/`: the fleet, live — figures, last hour, every restaurant worst first, the event feed. */
export function FleetPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFleetParams(params);
  const set = useCallback(
    (name: FleetParamName, value: string | null) => setParams((prev) => withFleetParam(prev, name, value), { replace: true }),
    [setParams],
  );
  return (
    <div className="space-y-4">
      <h1 className="sr-only">Fleet</h1>
      <KpiGrid />
      <Suspense fallback={<div className="h-[230px] rounded-md border border-line bg-surface" aria-label="Loading charts" />}>
        <FleetCharts />
      </Suspense>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <RestaurantList q={filters.q} status={filters.status} onQuery={(q) => set('q', q)} onStatus={(s) => set('status', s)} />
        <EventFeedPanel type={filters.feedType} rid={filters.feedRid} onType={(t) => set('feedType', t)} onRid={(r) => set('feedRid', r)} />
      </div>
    </div>
  );
}
