import type { ReplayMarkersAnswer } from '../../../../protocol/replay.ts';
import { formatClock } from '../../../lib/format.ts';

type Marker = ReplayMarkersAnswer['markers'][number];

interface Props {
  from: number;
  to: number;
  at: number;
  markers: readonly Marker[];
  onSeek: (t: number) => void;
}

/**
 * The window as a scrub bar with the incident markers on it; a marker (or its line in the list)
 * moves the cursor to its instant. Descriptions are the hub's text, rendered as text.
 */
export function ReplayTimeline({ from, to, at, markers, onSeek }: Props) {
  const left = (t: number): string => `${(((t - from) / (to - from)) * 100).toFixed(3)}%`;
  return (
    <div className="space-y-2">
      <div className="relative h-8">
        <input
          type="range"
          aria-label="Replay instant"
          className="absolute inset-x-0 top-1 w-full accent-accent"
          min={from}
          max={to}
          step={1000}
          value={Math.floor(at)}
          onChange={(e) => onSeek(Number(e.currentTarget.value))}
          data-testid="replay-scrub"
        />
        {markers.map((m) => (
          <button
            key={`${m.kind}-${m.scope}-${m.t}`}
            type="button"
            title={m.description}
            aria-label={`Jump to ${formatClock(m.t)}: ${m.description}`}
            onClick={() => onSeek(m.t)}
            className="absolute top-5 h-3 w-2 -translate-x-1/2 rounded-sm bg-bad hover:bg-fg"
            style={{ left: left(m.t) }}
            tabIndex={-1}
          />
        ))}
      </div>
      <div className="flex justify-between text-xs text-muted">
        <span>{formatClock(from)}</span>
        <span>{formatClock(to)}</span>
      </div>
      {markers.length > 0 ? (
        <ol aria-label="Incident markers" className="max-h-32 space-y-0.5 overflow-auto text-sm" data-testid="replay-markers">
          {markers.map((m) => (
            <li key={`${m.kind}-${m.scope}-${m.t}`}>
              <button type="button" className="text-left hover:underline" onClick={() => onSeek(m.t)} data-kind={m.kind} data-t={m.t}>
                <span className="tabular-nums text-muted">{formatClock(m.t)}</span> {m.description}
              </button>
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-muted">No incident markers in this window.</p>
      )}
    </div>
  );
}
