/**
 * The fleet's last hour in four charts; loaded lazily with recharts. The charts draw settled
 * one-minute buckets (they redraw once per bucket, each in its own task); the figure
 * beside each title is the current tick's. They share the width they are given (chart-grid.tsx).
 */
import { useEffect, useMemo, useRef } from 'react';
import { chartPalette, TimeChart, type ChartLine } from '../../../components/time-chart.tsx';
import { LiveFigures } from '../../../components/live-figures.tsx';
import { useThrottled } from '../../../components/use-throttled.ts';
import { formatCount, formatMs, formatRate, formatShare } from '../../../lib/format.ts';
import type { FleetPoint } from '../../../live/fleet-series.ts';
import { useLive, useNow } from '../../../live/use-live.ts';
import { useFleetHistory } from '../api/get-fleet-history.ts';
import { useTopHistory } from '../api/get-top-history.ts';
import { mergeHistory, samePointsOr } from '../model/chart-data.ts';
import { isSplit, splitHistory } from '../model/history-split.ts';
import { ChartGrid } from './chart-grid.tsx';

const reconnectLines: ChartLine<FleetPoint>[] = [{ id: 'r', label: 'Reconnects / min', color: chartPalette[2]!, value: (p) => p.reconnectsPerMin }];
const heartbeatLines: ChartLine<FleetPoint>[] = [
  { id: 'hb', label: 'Heartbeat success', color: chartPalette[4]!, value: (p) => (p.heartbeatSuccess === null ? null : p.heartbeatSuccess * 100) },
];
const latencyLines: ChartLine<FleetPoint>[] = [
  { id: 'p50', label: 'p50', color: chartPalette[0]!, value: (p) => p.p50 },
  { id: 'p95', label: 'p95', color: chartPalette[1]!, value: (p) => p.p95 },
  { id: 'p99', label: 'p99', color: chartPalette[3]!, value: (p) => p.p99 },
];
/** How often the bucket in progress is redrawn while no bucket has closed yet. */
const headEveryMs = 15_000;
const formatPercentTick = (v: number): string => `${Math.round(v)} %`;

export default function FleetCharts() {
  const settled = useLive((s) => s.series.settled);
  // Until the first bucket closes there is nothing settled to draw: draw the bucket in progress
  // (a fresh page would otherwise show empty charts for up to one bucket) — but not every tick:
  // four charts redrawn each second cost several times a tick's budget (`npm run bench:ui`).
  const head = useThrottled(
    useLive((s) => (s.series.settled.length === 0 ? s.series.current : null)),
    headEveryMs,
  );
  const live = useMemo(() => (settled.length > 0 ? settled : head ? [head] : settled), [head, settled]);
  // The charted restaurants as the stream ranks them now; the same list (not only an equal one)
  // while the ranking holds, so neither their history nor their lines are made again.
  const ridsKey = useLive((s) => s.series.topRids.join('\n'));
  const rids = useMemo(() => (ridsKey ? ridsKey.split('\n') : []), [ridsKey]);
  const fleetHistory = useFleetHistory().data;
  const topHistory = useTopHistory(rids);
  const history = useMemo(() => splitHistory(fleetHistory ?? [], rids, topHistory), [fleetHistory, rids, topHistory]);
  // The hour's window moves with the clock; minute steps are enough to drop old history points.
  const minute = Math.floor(useNow(60_000) / 60_000) * 60_000;
  const drawn = useRef<readonly FleetPoint[]>([]);
  const data = useMemo(() => samePointsOr(drawn.current, mergeHistory(history, live, Math.max(minute, live.at(-1)?.t ?? 0))), [history, live, minute]);
  useEffect(() => {
    drawn.current = data;
  }, [data]);
  const last = data.at(-1);
  const unsplit = data.some((p) => !isSplit(p));
  // Same restaurants, same line objects: recharts keeps its memoised work between redraws.
  const byRestaurant = useMemo(() => restaurantLines(rids, unsplit), [rids, unsplit]);
  return (
    <LiveFigures label="Last hour">
      <ChartGrid placeholderPx={230}>
        {(width) => (
          <>
            <TimeChart
              width={width}
              title="Connections by restaurant"
              summary={`${formatCount(last?.connections)} connected`}
              live={<Now pick={(p) => `${formatCount(p.connections)} now`} />}
              data={data}
              lines={byRestaurant}
              format={formatCount}
              stacked
              integer
              staggerMs={200}
            />
            <TimeChart
              width={width}
              title="Reconnect frequency"
              summary={`${formatRate(last?.reconnectsPerMin)} per minute`}
              live={<Now pick={(p) => `${formatRate(p.reconnectsPerMin)} / min now`} />}
              data={data}
              lines={reconnectLines}
              format={formatRate}
              staggerMs={400}
            />
            <TimeChart
              width={width}
              title="Heartbeat success"
              summary={formatShare(last?.heartbeatSuccess)}
              live={<Now pick={(p) => `${formatShare(p.heartbeatSuccess)} now`} />}
              data={data}
              lines={heartbeatLines}
              format={formatPercentTick}
              yDomain={[0, 100]}
              staggerMs={600}
            />
            <TimeChart
              width={width}
              title="Heartbeat RTT percentiles"
              summary={`p50 ${formatMs(last?.p50)}, p95 ${formatMs(last?.p95)}, p99 ${formatMs(last?.p99)}`}
              live={<Now pick={(p) => `p95 ${formatMs(p.p95)} now`} />}
              data={data}
              lines={latencyLines}
              format={formatMs}
              staggerMs={800}
            />
          </>
        )}
      </ChartGrid>
    </LiveFigures>
  );
}

/** The current tick's figure: text, cheap to update every second. */
function Now({ pick }: { pick: (p: FleetPoint) => string }) {
  const current = useLive((s) => s.series.current);
  return <span className="text-xs text-muted">{current ? pick(current) : ''}</span>;
}

/** The largest restaurants' bands (bottom up, the largest first). */
const restaurantBandOpacity = 0.6;
/** "other" frames them, lighter: a remainder, not a restaurant to compare them with. */
const otherBandOpacity = 0.15;

/**
 * Bands for the largest restaurants, then "other restaurants". A bucket whose split is not known
 * (a restaurant's history did not load) is drawn as the fleet's total under a name that says so —
 * never as "other", which it is not.
 */
function restaurantLines(rids: readonly string[], unsplit: boolean): ChartLine<FleetPoint>[] {
  const lines: ChartLine<FleetPoint>[] = rids.map((rid, i) => ({
    id: rid,
    label: rid,
    color: chartPalette[i % (chartPalette.length - 1)]!,
    fillOpacity: restaurantBandOpacity,
    value: (p) => p.top[rid] ?? null,
  }));
  lines.push({ id: '__other', label: 'other restaurants', color: chartPalette.at(-1)!, fillOpacity: otherBandOpacity, value: (p) => (isSplit(p) ? p.other : null) });
  if (unsplit) lines.push({ id: '__all', label: 'all restaurants (no split)', color: '#64748b', fillOpacity: 0.25, value: (p) => (isSplit(p) ? null : p.connections) });
  return lines;
}
