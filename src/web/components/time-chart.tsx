/**
 * A fixed-size time chart (recharts). Per DESIGN.md: no animation, no dots, fixed width and height,
 * ≤ 500 points a line — a live update must cost < 8 ms of main thread. Loaded lazily with recharts.
 */
import { memo, useMemo, type ReactNode } from 'react';
import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../lib/format.ts';
import { useStaggered } from './use-staggered.ts';

export interface ChartLine<P> {
  id: string;
  label: string;
  color: string;
  value: (point: P) => number | null;
  /** A stacked band's fill (default 0.35): a remainder ("other") drawn lighter than the bands it frames. */
  fillOpacity?: number;
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
  /** The figure now, beside the title (updates each tick while the chart redraws per bucket). */
  live?: ReactNode;
  /** Redraw this long after the data changed: charts updated together take turns (ms). */
  staggerMs?: number;
  /** Counts: whole-number ticks only (1.5 terminals is not a thing). */
  integer?: boolean;
}

export const chartPalette = ['#14b8a6', '#6366f1', '#f59e0b', '#ec4899', '#22c55e', '#0ea5e9', '#94a3b8'];
const axis = { fontSize: 11, fill: '#8b949e' };

/** Memoised: a parent re-rendering for another reason must not redraw an unchanged chart. */
export const TimeChart = memo(TimeChartView) as typeof TimeChartView;

function TimeChartView<P extends { t: number }>({ staggerMs = 0, data, ...rest }: TimeChartProps<P>) {
  // The chart below is memoised on the staggered data: until its turn, a new `data` costs nothing.
  return <ChartBody {...rest} data={useStaggered(data, staggerMs)} />;
}

const ChartBody = memo(ChartBodyView) as typeof ChartBodyView;

function ChartBodyView<P extends { t: number }>({ title, summary, data, lines, format, stacked = false, width = 560, height = 180, yDomain, live, integer = false }: Omit<TimeChartProps<P>, 'staggerMs'>) {
  const common = { width, height, data: data as P[], margin: { top: 8, right: 24, bottom: 0, left: 0 } };
  const first = data[0]?.t ?? 0;
  const last = data.at(-1)?.t ?? 0;
  // Explicit ticks with interval 0: recharts then skips measuring label text in the DOM on every
  // update (its overlap check), the largest cost of a live chart update.
  const ticks = useMemo(() => timeTicks(first, last), [first, last]);
  const axes = [
    <CartesianGrid key="grid" stroke="#8b949e" strokeOpacity={0.2} vertical={false} />,
    <XAxis key="x" dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} ticks={ticks} interval={0} tickFormatter={hourMinute} tick={axis} />,
    <YAxis key="y" width={64} tick={axis} tickFormatter={format} domain={yDomain ?? [0, 'auto']} allowDecimals={!integer} interval={0} />,
    <Tooltip
      key="tip"
      isAnimationActive={false}
      labelFormatter={(t) => formatClock(Number(t))}
      formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
      contentStyle={{ background: 'var(--pulse-surface)', border: '1px solid var(--pulse-line)', color: 'var(--pulse-fg)', fontSize: 12 }}
    />,
  ];
  return (
    <figure className="rounded-md border border-line bg-surface p-2 [contain:layout_paint]">
      <figcaption className="flex items-baseline justify-between gap-2 px-1 text-sm">
        <span className="font-medium">{title}</span>
        {live}
      </figcaption>
      <div role="img" aria-label={`${title}: ${summary}`}>
        {stacked ? (
          <AreaChart {...common}>
            {axes}
            {lines.map((l) => (
              <Area key={l.id} name={l.label} dataKey={l.value} stackId="1" stroke={l.color} fill={l.color} fillOpacity={l.fillOpacity ?? 0.35} isAnimationActive={false} dot={false} type="stepAfter" />
            ))}
          </AreaChart>
        ) : (
          <LineChart {...common}>
            {axes}
            {lines.map((l) => (
              <Line key={l.id} name={l.label} dataKey={l.value} stroke={l.color} strokeWidth={1.5} isAnimationActive={false} dot={false} type="linear" connectNulls={false} />
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

const hourMinute = (t: number): string => formatClock(t).slice(0, 5);

const tickSteps = [60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000];

/** About five round-time ticks across [from, to]. */
export function timeTicks(from: number, to: number, want = 5): number[] {
  if (!(to > from)) return [];
  const step = tickSteps.find((s) => (to - from) / s <= want) ?? tickSteps.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}
