/** One restaurant's charts over the chosen window; loaded lazily with recharts. */
import { chartPalette, TimeChart, type ChartLine } from '../../../components/time-chart.tsx';
import { formatCount, formatMs, formatRate } from '../../../lib/format.ts';
import { useRestaurantSeries } from '../api/get-restaurant-series.ts';
import type { RestaurantPoint, WindowName } from '../model/restaurant-series.ts';

const connections: ChartLine<RestaurantPoint>[] = [{ id: 'c', label: 'Connections', color: chartPalette[0]!, value: (p) => p.connections }];
const reconnects: ChartLine<RestaurantPoint>[] = [{ id: 'r', label: 'Reconnects / min', color: chartPalette[2]!, value: (p) => p.reconnectsPerMin }];
const heartbeat: ChartLine<RestaurantPoint>[] = [
  { id: 'hb', label: 'Heartbeat success', color: chartPalette[4]!, value: (p) => (p.heartbeatSuccess === null ? null : p.heartbeatSuccess * 100) },
];
const latency: ChartLine<RestaurantPoint>[] = [
  { id: 'p50', label: 'p50', color: chartPalette[0]!, value: (p) => p.p50 },
  { id: 'p95', label: 'p95', color: chartPalette[1]!, value: (p) => p.p95 },
  { id: 'p99', label: 'p99', color: chartPalette[3]!, value: (p) => p.p99 },
];

const formatPercentTick = (v: number): string => `${Math.round(v)} %`;

export default function RestaurantCharts({ rid, window }: { rid: string; window: WindowName }) {
  const series = useRestaurantSeries(rid, window, true);
  if (series.isPending) return <p className="text-sm text-muted">Loading history…</p>;
  if (series.isError) return <p className="text-sm text-bad">History could not be loaded: {series.error.message}</p>;
  const data = series.data;
  const last = data.at(-1);
  if (!last) return <p className="text-sm text-muted">No history in this window yet.</p>;
  return (
    <div className="flex flex-wrap gap-2">
      <TimeChart title="Connections" summary={formatCount(last.connections)} data={data} lines={connections} format={formatCount} integer />
      <TimeChart title="Reconnect frequency" summary={`${formatRate(last.reconnectsPerMin)} per minute`} data={data} lines={reconnects} format={formatRate} />
      <TimeChart title="Heartbeat success" summary={`${formatCount(last.heartbeatSuccess === null ? null : last.heartbeatSuccess * 100)} %`} data={data} lines={heartbeat} format={formatPercentTick} yDomain={[0, 100]} />
      <TimeChart title="Heartbeat RTT percentiles" summary={`p95 ${formatMs(last.p95)}`} data={data} lines={latency} format={formatMs} />
    </div>
  );
}
