/**
 * The stability tab's three charts as fixed-size inline SVG (no recharts: bars and a grid need no
 * axes engine, and a 90-day answer is 90 bars). Shapes come from model/stability-tab.ts; every
 * figure is also in a <title> for hover and screen readers.
 */
import { chartPalette } from '../../../components/time-chart.tsx';
import { formatCount, formatShare } from '../../../lib/format.ts';
import type { HistoryDayWire, HourCellWire } from '../../../../protocol/restaurant-stability.ts';
import { causeStacks, codeLabel, dayBars, heatRows, hourLabel, weekdayNames, type Tone } from '../model/stability-tab.ts';

const W = 720;
const H = 120;

const fills: Record<Tone, string> = { ok: 'fill-ok', warn: 'fill-warn', bad: 'fill-bad', closed: 'fill-line', none: 'fill-muted' };

export function DayBars({ days }: { days: readonly HistoryDayWire[] }) {
  const bars = dayBars(days, W, H);
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm text-muted">Stability per day (closed days shaded)</figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="stability per day" data-testid="stability-days">
        {bars.map((b) => (
          <rect key={b.date} x={b.x} y={b.y} width={b.width} height={b.height} className={fills[b.tone]} opacity={b.tone === 'closed' ? 0.5 : 1} data-date={b.date} data-tone={b.tone} data-stability={b.stability ?? ''}>
            <title>{`${b.date}: ${b.tone === 'closed' ? 'closed' : formatShare(b.stability)}`}</title>
          </rect>
        ))}
      </svg>
    </figure>
  );
}

export function CauseStacks({ days, codes }: { days: readonly HistoryDayWire[]; codes: readonly string[] }) {
  const { rects, max } = causeStacks(days, codes, W, H);
  const color = (code: string) => chartPalette[codes.indexOf(code) % chartPalette.length]!;
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm text-muted">Disconnects per day by close code{max > 0 ? ` (busiest day ${formatCount(max)})` : ''}</figcaption>
      {max === 0 ? (
        <p className="text-sm text-muted">No disconnect in the counted hours.</p>
      ) : (
        <>
          <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label="disconnects per day by close code" data-testid="stability-causes">
            {days.map((d, i) => d.openMs === 0 && <rect key={d.date} x={(i * W) / days.length} y={0} width={W / days.length} height={H} className="fill-line" opacity={0.35} />)}
            {rects.map((r) => (
              <rect key={`${r.date}-${r.code}`} x={r.x} y={r.y} width={r.width} height={r.height} fill={color(r.code)} data-date={r.date} data-code={r.code} data-count={r.count}>
                <title>{`${r.date}: ${formatCount(r.count)} × ${codeLabel(r.code)}`}</title>
              </rect>
            ))}
          </svg>
          <ul className="flex flex-wrap gap-3 text-xs" aria-label="close codes">
            {codes.map((c) => (
              <li key={c} className="flex items-center gap-1">
                <span className="inline-block h-2 w-2 rounded-sm" style={{ background: color(c) }} />
                {codeLabel(c)}
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}

const CELL = 22;

export function HourHeatMap({ week }: { week: readonly HourCellWire[] }) {
  const rows = heatRows(week);
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm text-muted">Stability by weekday and hour (local time; closed hours shaded)</figcaption>
      <svg width={40 + 24 * CELL} height={16 + 7 * CELL} role="img" aria-label="stability by weekday and hour" data-testid="stability-heat-map">
        {[0, 6, 12, 18].map((h) => (
          <text key={h} x={40 + h * CELL} y={11} className="fill-muted text-[10px]">{`${String(h).padStart(2, '0')}:00`}</text>
        ))}
        {rows.map((cells, d) => (
          <g key={d}>
            <text x={0} y={16 + d * CELL + 15} className="fill-muted text-[11px]">{weekdayNames[d]}</text>
            {cells.map((c) => (
              <rect
                key={c.hour}
                x={40 + c.hour * CELL}
                y={16 + d * CELL}
                width={CELL - 2}
                height={CELL - 2}
                rx={2}
                className={fills[c.tone]}
                opacity={c.tone === 'closed' ? 0.35 : c.tone === 'none' ? 0.15 : c.intensity}
                data-weekday={c.weekday}
                data-hour={c.hour}
                data-tone={c.tone}
              >
                <title>{`${hourLabel(c.weekday, c.hour)}: ${c.tone === 'closed' ? 'closed' : formatShare(c.stability)}${c.partlyOpen ? ' (open part of the time)' : ''}`}</title>
              </rect>
            ))}
          </g>
        ))}
      </svg>
    </figure>
  );
}
