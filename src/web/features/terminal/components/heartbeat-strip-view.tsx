import { memo, useMemo } from 'react';
import type { HeartbeatStatus, Timeline } from '../../../../core/timeline/timeline-types.ts';
import { seconds } from '../../../../core/timeline/figure-text.ts';
import { stripShapes } from '../model/bar-shapes.ts';
import { groupBy, rectsPath } from '../model/shape-paths.ts';
import { drawingWidth as W } from '../model/shape-paths.ts';
import { useShapeHover } from './use-shape-hover.ts';
import { heartbeatWords, stripRuns } from '../model/timeline-words.ts';
import { Legend } from './connection-bar.tsx';

const statuses = ['on_time', 'unknown', 'late', 'missed'] as const;
const fill: Record<HeartbeatStatus, string> = { on_time: 'var(--pulse-ok)', late: 'var(--pulse-warn)', missed: 'var(--pulse-bad)', unknown: 'var(--pulse-line)' };

/**
 * One cell per heartbeat interval while connected, drawn as runs of equal cells (dense ones merged,
 * one path per status: shape-paths.ts); counts in words, the run under the pointer named below.
 */
export const HeartbeatStripView = memo(function HeartbeatStripView({ timeline }: { timeline: Timeline }) {
  const { from, end, heartbeats, heartbeatIntervalMs, graceMs } = timeline;
  const shapes = useMemo(() => stripShapes(stripRuns(heartbeats.cells), from, end, W), [heartbeats.cells, from, end]);
  const byStatus = useMemo(() => groupBy(shapes, (r) => r.status, statuses), [shapes]);
  const hover = useShapeHover(shapes, W);
  const c = heartbeats.counts;
  const words = `${c.on_time} on time, ${c.late} late, ${c.missed} missed, ${c.unknown} unknown`;
  return (
    <figure className="space-y-1" data-testid="heartbeat-strip">
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">Heartbeats</span>
        <span className="text-xs text-muted" data-testid="heartbeat-counts">
          {words}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} 16`} preserveAspectRatio="none" className="h-4 w-full" role="img" aria-label={`Heartbeat intervals: ${words}`} onPointerMove={hover.onPointerMove} onPointerLeave={hover.onPointerLeave}>
        {byStatus.map(([status, list]) => (
          <path key={status} d={rectsPath(list, 0, 16, 0.3)} fill={fill[status]} data-status={status} data-shapes={list.length} />
        ))}
      </svg>
      <p className="h-4 truncate text-xs" aria-hidden="true" data-testid="heartbeat-strip-hover">
        {hover.hovered?.title ?? ''}
      </p>
      <ul className="flex flex-wrap gap-x-3 text-xs text-muted" aria-hidden="true">
        {(Object.keys(fill) as HeartbeatStatus[]).map((s) => (
          <Legend key={s} color={fill[s]} label={heartbeatWords[s]} />
        ))}
      </ul>
      <p className="text-xs text-muted">
        {/* heartbeat-strip.ts says why: the gateway records every late ping and drops a silent terminal (4008). */}
        On time unless the gateway recorded the ping late, or dropped the terminal for silence (4008: missed). The last{' '}
        {seconds(2 * heartbeatIntervalMs + graceMs)} of a connection are judged once a late ping could have come; unknown: it closed first.
      </p>
    </figure>
  );
});
