import { memo, useMemo } from 'react';
import type { Segment, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock } from '../../../lib/format.ts';
import { attemptTicks, barShapes } from '../model/bar-shapes.ts';

const fill: Record<Segment['state'], string> = { connected: 'var(--pulse-ok)', disconnected: 'var(--pulse-bad)', unknown: 'var(--pulse-unknown)' };
const W = 1000;

/**
 * The window as one bar: connected / disconnected / unknown segments, reconnect attempts as ticks
 * above it (a tall tick: too soon for the backoff policy). Each shape names itself on hover (dense
 * stretches merge, see bar-shapes.ts); the disconnect table below says the same for keyboards and
 * screen readers.
 */
export const ConnectionBar = memo(function ConnectionBar({ timeline }: { timeline: Timeline }) {
  const { from, end, segments, attempts } = timeline;
  const shapes = useMemo(() => barShapes(segments, from, end, W), [segments, from, end]);
  const ticks = useMemo(() => attemptTicks(attempts, from, end, W), [attempts, from, end]);
  const down = segments.filter((s) => s.state === 'disconnected').length;
  return (
    <figure className="space-y-1" data-testid="connection-bar">
      <figcaption className="text-sm font-medium">Connection</figcaption>
      <svg viewBox={`0 0 ${W} 40`} preserveAspectRatio="none" className="h-10 w-full" role="img" aria-label={`${segments.length} segments, ${down} disconnected, ${attempts.length} reconnect attempts; listed in the table below`}>
        {shapes.map((s) => (
          <rect key={s.x} x={s.x} width={Math.max(0.5, s.width)} y={12} height={28} fill={fill[s.state]} fillOpacity={s.state === 'connected' ? 0.7 : 0.9} data-state={s.state}>
            <title>{s.title}</title>
          </rect>
        ))}
        {ticks.map((k) => (
          <rect key={`a-${k.x}`} x={k.x - 0.75} width={1.5} y={k.tooSoon ? 0 : 6} height={k.tooSoon ? 12 : 6} fill={k.tooSoon ? 'var(--pulse-warn)' : 'var(--pulse-muted)'} data-flag={k.tooSoon ? 'backoff_not_respected' : undefined}>
            <title>{k.title}</title>
          </rect>
        ))}
      </svg>
      <div className="flex justify-between text-xs text-muted" aria-hidden="true">
        <span>{formatClock(from)}</span>
        <span>{timeline.live ? 'now' : formatClock(end)}</span>
      </div>
      <ul className="flex flex-wrap gap-x-3 text-xs text-muted" aria-hidden="true">
        <Legend color={fill.connected} label="connected" />
        <Legend color={fill.disconnected} label="disconnected" />
        <Legend color={fill.unknown} label="unknown" />
        <Legend color="var(--pulse-warn)" label="retry too soon" />
      </ul>
    </figure>
  );
});

export function Legend({ color, label }: { color: string; label: string }) {
  return (
    <li className="inline-flex items-center gap-1">
      <span className="inline-block h-2 w-2 rounded-sm" style={{ background: color }} />
      {label}
    </li>
  );
}
