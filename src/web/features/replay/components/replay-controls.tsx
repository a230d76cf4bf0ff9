import { replaySpeeds, type ReplaySpeed } from '../model/replay-cursor.ts';
import { replayShortcuts } from '../model/replay-keys.ts';

interface Props {
  playing: boolean;
  speed: ReplaySpeed;
  onToggle: () => void;
  onSpeed: (s: ReplaySpeed) => void;
  onStep: (ms: number) => void;
}

const steps: { ms: number; label: string; name: string }[] = [
  { ms: -60_000, label: '−1 min', name: 'Back 1 minute' },
  { ms: -1_000, label: '−1 s', name: 'Back 1 second' },
  { ms: 1_000, label: '+1 s', name: 'Forward 1 second' },
  { ms: 60_000, label: '+1 min', name: 'Forward 1 minute' },
];
const button = 'rounded border border-line bg-surface px-2 py-1 text-sm hover:bg-raised';

/** Play/pause, the speeds, the steps; the shortcuts listed beside them. */
export function ReplayControls({ playing, speed, onToggle, onSpeed, onStep }: Props) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={`${button} min-w-16 font-medium`} onClick={onToggle} aria-pressed={playing} data-testid="replay-play">
        {playing ? 'Pause' : 'Play'}
      </button>
      <div role="group" aria-label="Speed" className="flex gap-1">
        {replaySpeeds.map((s) => (
          <button key={s} type="button" className={`${button} ${s === speed ? 'bg-raised font-semibold text-fg' : 'text-muted'}`} aria-pressed={s === speed} onClick={() => onSpeed(s)}>
            {s}×
          </button>
        ))}
      </div>
      <div role="group" aria-label="Step" className="flex gap-1">
        {steps.map((s) => (
          <button key={s.ms} type="button" className={button} aria-label={s.name} onClick={() => onStep(s.ms)}>
            {s.label}
          </button>
        ))}
      </div>
      <details className="text-xs text-muted">
        <summary className="cursor-pointer">Shortcuts</summary>
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3">
          {replayShortcuts.map((s) => (
            <div key={s.keys} className="contents">
              <dt className="font-mono">{s.keys}</dt>
              <dd>{s.does}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
