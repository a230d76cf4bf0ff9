/** The fleet's last hour in four charts; loaded lazily with recharts. */
import { useMemo } from 'react';
import { LiveFigures } from '../../../components/live-figures.tsx';
import { chartPalette, TimeChart, type ChartLine } from '../../../components/time-chart.tsx';
import { formatCount, formatMs, formatRate, formatShare } from '../../../lib/format.ts';
import type { FleetPoint } from '../../../live/fleet-series.ts';
import { useLive, useNow } from '../../../live/use-live.ts';
import { useFleetHistory } from '../api/get-fleet-history.ts';
import { mergeHistory } from '../model/chart-data.ts';

const reconnectLines: ChartLine<FleetPoint>[] = [{ id: 'r', label: 'Reconnects / min', color: chartPalette[2]!, value: (p) => p.reconnectsPerMin }];
const heartbeatLines: ChartLine<FleetPoint>[] = [
  { id: 'hb', label: 'Heartbeat success', color: chartPalette[4]!, value: (p) => (p.heartbeatSuccess === null ? null : p.heartbeatSuccess * 100) },
];
const latencyLines: ChartLine<FleetPoint>[] = [
  { id: 'p50', label: 'p50', color: chartPalette[0]!, value: (p) => p.p50 },
  { id: 'p95', label: 'p95', color: chartPalette[1]!, value: (p) => p.p95 },
  { id: 'p99', label: 'p99', color: chartPalette[3]!, value: (p) => p.p99 },
];

export default function FleetCharts() {
  const live = useLive((s) => s.series.points);
  const history = useFleetHistory().data;
  // The hour's window moves with the clock; minute steps are enough to drop old history points.
  const minute = Math.floor(useNow(60_000) / 60_000) * 60_000;
  const data = useMemo(() => mergeHistory(history ?? [], live, Math.max(minute, live.at(-1)?.t ?? 0)), [history, live, minute]);
  const last = data.at(-1);
  const byRestaurant = useMemo(() => restaurantLines(last), [last]);
  return (
    <LiveFigures label="Last hour" className="flex flex-wrap gap-2">
      <TimeChart title="Connections by restaurant" summary={`${formatCount(last?.connections)} connected`} data={data} lines={byRestaurant} format={formatCount} stacked integer />
      <TimeChart title="Reconnect frequency" summary={`${formatRate(last?.reconnectsPerMin)} per minute`} data={data} lines={reconnectLines} format={formatRate} />
      <TimeChart
        title="Heartbeat success"
        summary={formatShare(last?.heartbeatSuccess)}
        data={data}
        lines={heartbeatLines}
        format={(v) => `${Math.round(v)} %`}
        yDomain={[0, 100]}
      />
      <TimeChart
        title="Heartbeat RTT percentiles"
        summary={`p50 ${formatMs(last?.p50)}, p95 ${formatMs(last?.p95)}, p99 ${formatMs(last?.p99)}`}
        data={data}
        lines={latencyLines}
        format={formatMs}
      />
    </LiveFigures>
  );
}

/** Bands for the largest restaurants at the newest point, plus "other" (and all of history's). */
function restaurantLines(last: FleetPoint | undefined): ChartLine<FleetPoint>[] {
  const rids = last ? Object.keys(last.top) : [];
  const lines: ChartLine<FleetPoint>[] = rids.map((rid, i) => ({ id: rid, label: rid, color: chartPalette[i % (chartPalette.length - 1)]!, value: (p) => p.top[rid] ?? null }));
  // History points carry no per-restaurant split: there, "other" is the whole fleet.
  lines.push({ id: '__other', label: 'other', color: chartPalette.at(-1)!, value: (p) => (Object.keys(p.top).length === 0 ? p.connections : p.other) });
  return lines;
}
