/**
 * A fixed-size time chart (recharts). Per DESIGN.md: no animation, no dots, fixed width and height,
 * ≤ 500 points a line — a live update must cost < 8 ms of main thread. Loaded lazily with recharts.
 */
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../lib/format.ts';

export interface ChartLine<P> {
  id: string;
  label: string;
  color: string;
  value: (point: P) => number | null;
}

export interface TimeChartProps<P extends { t: number }> {
  title: string;
  /** One sentence for screen readers: the latest values. */
  summary: string;
  data: readonly P[];
  lines: readonly ChartLine<P>[];
  format: (value: number) => string;
  stacked?: boolean;
  width?: number;
  height?: number;
  yDomain?: [number | 'auto', number | 'auto'];
  /** Counts: whole-number ticks only (1.5 terminals is not a thing). */
  integer?: boolean;
}

export const chartPalette = ['#14b8a6', '#6366f1', '#f59e0b', '#ec4899', '#22c55e', '#0ea5e9', '#94a3b8'];
const axis = { fontSize: 11, fill: '#8b949e' };

export function TimeChart<P extends { t: number }>({ title, summary, data, lines, format, stacked = false, width = 560, height = 180, yDomain, integer = false }: TimeChartProps<P>) {
  const common = { width, height, data: data as P[], margin: { top: 8, right: 12, bottom: 0, left: 0 } };
  const axes = [
    <CartesianGrid key="grid" stroke="#8b949e" strokeOpacity={0.2} vertical={false} />,
    <XAxis key="x" dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => formatClock(t).slice(0, 5)} tick={axis} minTickGap={40} />,
    <YAxis key="y" width={64} tick={axis} tickFormatter={format} domain={yDomain ?? [0, 'auto']} allowDecimals={!integer} />,
    <Tooltip
      key="tip"
      isAnimationActive={false}
      labelFormatter={(t) => formatClock(Number(t))}
      formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
      contentStyle={{ background: 'var(--pulse-surface)', border: '1px solid var(--pulse-line)', color: 'var(--pulse-fg)', fontSize: 12 }}
    />,
  ];
  return (
    <figure className="rounded-md border border-line bg-surface p-2">
      <figcaption className="px-1 text-sm font-medium">{title}</figcaption>
      <div role="img" aria-label={`${title}: ${summary}`}>
        {stacked ? (
          <AreaChart {...common}>
            {axes}
            {lines.map((l) => (
              <Area key={l.id} name={l.label} dataKey={(p: P) => l.value(p)} stackId="1" stroke={l.color} fill={l.color} fillOpacity={0.35} isAnimationActive={false} dot={false} type="stepAfter" />
            ))}
          </AreaChart>
        ) : (
          <LineChart {...common}>
            {axes}
            {lines.map((l) => (
              <Line key={l.id} name={l.label} dataKey={(p: P) => l.value(p)} stroke={l.color} strokeWidth={1.5} isAnimationActive={false} dot={false} type="linear" connectNulls={false} />
            ))}
          </LineChart>
        )}
      </div>
      <ul className="flex flex-wrap gap-x-3 px-1 text-xs text-muted" aria-hidden="true">
        {lines.map((l) => (
          <li key={l.id} className="inline-flex items-center gap-1">
            <span className="inline-block h-2 w-2 rounded-sm" style={{ background: l.color }} />
            {l.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
