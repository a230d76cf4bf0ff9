import { useMemo } from 'react';
import { KpiTile } from '../../../components/kpi-tile.tsx';
import { LiveFigures } from '../../../components/live-figures.tsx';
import { useLive } from '../../../live/use-live.ts';
import { kpiTiles } from '../model/kpi-tiles.ts';

const placeholders = ['connected', 'healthy', 'reconnects', 'heartbeat', 'rtt', 'errors'];

/** The fleet's figures at a glance, over the viewer's scope. */
export function KpiGrid() {
  const totals = useLive((s) => s.totals);
  const scope = useLive((s) => s.scope);
  const tiles = useMemo(() => (totals ? kpiTiles(totals) : null), [totals]);
  const title = scope?.restaurants ? `Your restaurants (${scope.restaurants.length})` : 'All restaurants';
  return (
    <LiveFigures label="Fleet figures">
      <h2 className="mb-2 text-sm font-medium text-muted" data-testid="scope-title">
        {title}
      </h2>
      <div className="grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-6">
        {tiles
          ? tiles.map((t) => <KpiTile key={t.id} {...t} />)
          : placeholders.map((id) => <KpiTile key={id} id={id} label="…" value="—" detail="waiting for the first snapshot" tone="neutral" />)}
      </div>
    </LiveFigures>
  );
}
