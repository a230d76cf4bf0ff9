/**
 * The restaurant page's stability tab (`/restaurants/:rid?tab=stability&period=30d`,
 * docs/stability.md): the period's stability, daily bars, disconnects by close code, the weekday
 * × hour grid and its worst hours in words. The hub cuts it to the viewer's scope.
 */
import { restaurantStabilityPeriods, type RestaurantStabilityPeriod } from '../../../../protocol/restaurant-stability.ts';
import { formatShare } from '../../../lib/format.ts';
import { useDirectory } from '../../../lib/use-directory.ts';
import { useRestaurantStability } from '../api/get-restaurant-stability.ts';
import { useIsEngineer } from '../api/use-is-engineer.ts';
import { hourLabel } from '../model/stability-tab.ts';
import { DirectoryEditor } from './directory-editor.tsx';
import { CauseStacks, DayBars, HourHeatMap } from './stability-charts.tsx';

export function StabilityTab({ rid, period, onPeriod }: { rid: string; period: RestaurantStabilityPeriod; onPeriod: (p: RestaurantStabilityPeriod) => void }) {
  const { data, error, isPending } = useRestaurantStability(rid, period);
  const directory = useDirectory();
  const editable = useIsEngineer();
  return (
    <section aria-labelledby="stability-title" className="space-y-4" data-testid="stability-tab">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="stability-title" className="font-medium">
          Stability
        </h2>
        <div role="group" aria-label="Period" className="flex gap-1">
          {restaurantStabilityPeriods.map((p) => (
            <button key={p} type="button" aria-pressed={p === period} onClick={() => onPeriod(p)} className={`rounded border px-2 py-0.5 text-xs ${p === period ? 'border-accent bg-accent/15' : 'border-line text-muted'}`}>
              {p}
            </button>
          ))}
        </div>
      </div>
      {isPending && <p className="text-sm text-muted">Loading stability…</p>}
      {error && <p className="text-sm text-bad">Stability could not be loaded: {error.message}</p>}
      {data && (
        <>
          <p className="text-sm" data-testid="stability-summary">
            {data.name !== data.rid && <span className="mr-2 font-medium" data-testid="stability-name">{data.name}</span>}
            <span className="text-lg font-semibold tabular-nums" data-testid="stability-period-figure">{formatShare(data.stability)}</span> over the last {data.days.length} days ·{' '}
            {data.withHours ? 'counted within opening hours' : 'counted all day (no opening hours in the restaurants file)'} · days and hours in {data.timezone}
          </p>
          <DayBars days={data.days} />
          <CauseStacks days={data.days} codes={data.codes} />
          <HourHeatMap week={data.week} />
          <div>
            <h3 className="text-sm font-medium">Worst hours of the week</h3>
            {data.worstHours.length === 0 ? (
              <p className="text-sm text-muted">No open hour lost terminal time.</p>
            ) : (
              <ol className="list-decimal pl-5 text-sm" data-testid="worst-hours">
                {data.worstHours.map((w) => (
                  <li key={`${w.weekday}-${w.hour}`} className="tabular-nums">
                    {hourLabel(w.weekday, w.hour)}: {formatShare(w.stability)}
                  </li>
                ))}
              </ol>
            )}
          </div>
        </>
      )}
      {editable && directory.data && <DirectoryEditor key={rid} rid={rid} entry={directory.data.restaurants.find((e) => e.rid === rid)} />}
    </section>
  );
}
