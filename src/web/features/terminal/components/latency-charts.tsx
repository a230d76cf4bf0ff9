/** The terminal's RTT and delivery latency over the window; loaded lazily with recharts. */
import type { SeriesPoint, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { chartPalette, TimeChart, type ChartLine } from '../../../components/time-chart.tsx';
import { formatMs } from '../../../lib/format.ts';

const rtt: ChartLine<SeriesPoint>[] = [{ id: 'rtt', label: 'Heartbeat RTT', color: chartPalette[0]!, value: (p) => p.v }];
const delivery: ChartLine<SeriesPoint>[] = [{ id: 'delivery', label: 'Delivery latency', color: chartPalette[1]!, value: (p) => p.v }];

export default function LatencyCharts({ timeline }: { timeline: Timeline }) {
  const { rtt: r, latency: l } = timeline;
  if (r.count === 0 && l.count === 0) {
    return <p className="text-sm text-muted">No latency samples in this window yet: the terminal's RTT is collected while this page is open.</p>;
  }
  return (
    <div className="flex flex-wrap gap-2">
      {r.count > 0 && <TimeChart title="Heartbeat RTT" summary={`avg ${formatMs(r.mean)}, p95 ${formatMs(r.p95)} over ${r.count} heartbeats`} data={r.points} lines={rtt} format={formatMs} />}
      {l.count > 0 && <TimeChart title="Delivery latency" summary={`avg ${formatMs(l.mean)}, p95 ${formatMs(l.p95)} over ${l.count} acks`} data={l.points} lines={delivery} format={formatMs} />}
    </div>
  );
}
