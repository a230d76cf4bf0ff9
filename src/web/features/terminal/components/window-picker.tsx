import { useState, type FormEvent } from 'react';
import { useClock } from '../../../lib/clock.ts';
import { fromLocalInput, maxCustomMs, resolveWindow, toLocalInput, windowNames, type TerminalWindow } from '../model/terminal-window.ts';

const button = (pressed: boolean): string => `rounded border px-2 py-0.5 text-xs ${pressed ? 'border-accent bg-accent/15' : 'border-line text-muted'}`;

/** 15 min / 1 h / 24 h, or a custom from–to in local time; the choice goes to the URL. */
export function WindowPicker({ value, onChange }: { value: TerminalWindow; onChange: (w: TerminalWindow) => void }) {
  const [custom, setCustom] = useState(value.kind === 'custom');
  const clock = useClock();
  const initial = resolveWindow(value, clock.now());
  const [from, setFrom] = useState(() => toLocalInput(initial.from));
  const [to, setTo] = useState(() => toLocalInput(initial.to));
  const [problem, setProblem] = useState<string | null>(null);

  const apply = (e: FormEvent): void => {
    e.preventDefault();
    const f = fromLocalInput(from);
    const t = fromLocalInput(to);
    if (f === null || t === null) return setProblem('Both times are needed.');
    if (f >= t) return setProblem('"From" must be before "to".');
    if (t - f > maxCustomMs) return setProblem('At most 7 days: older events are not kept.');
    setProblem(null);
    onChange({ kind: 'custom', from: f, to: t });
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      <div role="group" aria-label="Window" className="flex gap-1">
        {windowNames.map((name) => (
          <button
            key={name}
            type="button"
            aria-pressed={!custom && value.kind === name}
            onClick={() => {
              setCustom(false);
              onChange({ kind: name });
            }}
            className={button(!custom && value.kind === name)}
          >
            {name}
          </button>
        ))}
        <button type="button" aria-pressed={custom} aria-expanded={custom} onClick={() => setCustom((c) => !c)} className={button(custom)}>
          custom
        </button>
      </div>
      {custom && (
        <form onSubmit={apply} className="flex flex-wrap items-center gap-2 text-xs" aria-label="Custom window">
          <label className="flex items-center gap-1">
            From
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded border border-line bg-surface px-1 py-0.5" />
          </label>
          <label className="flex items-center gap-1">
            to
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} className="rounded border border-line bg-surface px-1 py-0.5" />
          </label>
          <button type="submit" className="rounded border border-accent px-2 py-0.5">
            Show
          </button>
          {problem && (
            <span role="alert" className="text-bad">
              {problem}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
