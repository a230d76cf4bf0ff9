import { Link } from 'react-router';
import { formatClock } from '../../../lib/format.ts';

/** "Replay — 19:42:07, 60×": always on top of a replayed view, so it is never taken for live. */
export function ReplayBanner({ at, speed, playing, date }: { at: number; speed: number; playing: boolean; date: string }) {
  return (
    <div className="flex flex-wrap items-center gap-3 border-b border-accent/50 bg-accent/15 px-4 py-2 text-sm" role="region" aria-label="Replay" data-testid="replay-banner">
      <span className="font-semibold" data-testid="replay-banner-text" data-at={Math.floor(at)}>
        Replay — {formatClock(at)}, {speed}×{playing ? '' : ' (paused)'}
      </span>
      <span className="text-muted">{date} · not live: the fleet as the store kept it</span>
      <Link to="/" className="ml-auto rounded border border-line bg-surface px-2 py-1 font-medium text-accent hover:underline">
        Back to live
      </Link>
    </div>
  );
}
