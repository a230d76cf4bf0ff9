import { memo, useMemo } from 'react';
import type { Segment, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { formatClock } from '../../../lib/format.ts';
import { attemptTicks, barShapes } from '../model/bar-shapes.ts';
import { groupBy, rectsPath } from '../model/shape-paths.ts';
import { drawingWidth as W } from '../model/shape-paths.ts';
import { useShapeHover } from './use-shape-hover.ts';

const states = ['connected', 'unknown', 'disconnected'] as const;
const fill: Record<Segment['state'], string> = { connected: 'var(--pulse-ok)', disconnected: 'var(--pulse-bad)', unknown: 'var(--pulse-unknown)' };

/** A tick is 1.5 units wide, centred on its attempt's unit. */
const tickWidth = 1.5;

/**
 * The window as one bar: connected / disconnected / unknown segments, reconnect attempts as ticks
 * above it (a tall tick: too soon for the backoff policy). Dense stretches merge (bar-shapes.ts),
 * and each colour is one path (shape-paths.ts); the shape under the pointer says what it holds
 * below the bar. The disconnect table says the same for keyboards and screen readers.
 */
export const ConnectionBar = memo(function ConnectionBar({ timeline }: { timeline: Timeline }) {
  const { from, end, segments, attempts } = timeline;
  const shapes = useMemo(() => barShapes(segments, from, end, W), [segments, from, end]);
  const ticks = useMemo(() => attemptTicks(attempts, from, end, W).map((k) => ({ ...k, x: k.x - tickWidth / 2, width: tickWidth })), [attempts, from, end]);
  const byState = useMemo(() => groupBy(shapes, (s) => s.state, states), [shapes]);
  const down = segments.filter((s) => s.state === 'disconnected').length;
  const onBar = useShapeHover(shapes, W);
  const onTick = useShapeHover(ticks, W, 1);
  const hovered = onTick.hovered ?? onBar.hovered;
  return (
    <figure className="space-y-1" data-testid="connection-bar">
      <figcaption className="text-sm font-medium">Connection</figcaption>
      <svg
        viewBox={`0 0 ${W} 40`}
        preserveAspectRatio="none"
        className="h-10 w-full"
        role="img"
        aria-label={`${segments.length} segments, ${down} disconnected, ${attempts.length} reconnect attempts; listed in the table below`}
        onPointerMove={(e) => {
          onBar.onPointerMove(e);
          onTick.onPointerMove(e);
        }}
        onPointerLeave={() => {
          onBar.onPointerLeave();
          onTick.onPointerLeave();
        }}
      >
        {byState.map(([state, list]) => (
          <path key={state} d={rectsPath(list, 12, 28)} fill={fill[state]} fillOpacity={state === 'connected' ? 0.7 : 0.9} data-state={state} data-shapes={list.length} />
        ))}
        {groupBy(ticks, (k) => (k.tooSoon ? 'soon' : 'ok'), ['ok', 'soon'] as const).map(([kind, list]) =>
          kind === 'soon' ? (
            <path key={kind} d={rectsPath(list, 0, 12)} fill="var(--pulse-warn)" data-flag="backoff_not_respected" data-shapes={list.length} />
          ) : (
            <path key={kind} d={rectsPath(list, 6, 6)} fill="var(--pulse-muted)" data-shapes={list.length} />
          ),
        )}
      </svg>
      <div className="flex justify-between gap-2 text-xs text-muted" aria-hidden="true">
        <span>{formatClock(from)}</span>
        <span className="truncate text-fg" data-testid="connection-bar-hover">
          {hovered?.title ?? ''}
        </span>
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
