import { memo } from 'react';
import type { Segment, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock } from '../../../lib/format.ts';
import { attemptWords, segmentTitle } from '../model/timeline-words.ts';

const fill: Record<Segment['state'], string> = { connected: 'var(--pulse-ok)', disconnected: 'var(--pulse-bad)', unknown: 'var(--pulse-unknown)' };
const W = 1000;

/**
 * The window as one bar: connected / disconnected / unknown segments, reconnect attempts as ticks
 * above it (a tall tick: too soon for the backoff policy). Each shape names itself on hover; the
 * disconnect table below says the same for keyboards and screen readers.
 */
export const ConnectionBar = memo(function ConnectionBar({ timeline }: { timeline: Timeline }) {
  const { from, end, segments, attempts } = timeline;
  const span = Math.max(1, end - from);
  const x = (t: number): number => ((t - from) / span) * W;
  const down = segments.filter((s) => s.state === 'disconnected').length;
  return (
    <figure className="space-y-1" data-testid="connection-bar">
      <figcaption className="text-sm font-medium">Connection</figcaption>
      <svg viewBox={`0 0 ${W} 40`} preserveAspectRatio="none" className="h-10 w-full" role="img" aria-label={`${segments.length} segments, ${down} disconnected, ${attempts.length} reconnect attempts; listed in the table below`}>
        {segments.map((s) => (
          <rect key={`${s.state}-${s.start}`} x={x(s.start)} width={Math.max(0.5, x(s.end) - x(s.start))} y={12} height={28} fill={fill[s.state]} fillOpacity={s.state === 'connected' ? 0.7 : 0.9} data-state={s.state}>
            <title>{segmentTitle(s)}</title>
          </rect>
        ))}
        {attempts.map((a, i) => {
          const tooSoon = a.flags.length > 0;
          return (
            <rect key={`a-${i}`} x={x(a.t) - 0.75} width={1.5} y={tooSoon ? 0 : 6} height={tooSoon ? 12 : 6} fill={tooSoon ? 'var(--pulse-warn)' : 'var(--pulse-muted)'} data-flag={tooSoon ? 'backoff_not_respected' : undefined}>
              <title>{`${formatClock(a.t)} ${attemptWords(a)}`}</title>
            </rect>
          );
        })}
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
