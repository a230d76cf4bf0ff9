import { useId, useState, type FormEvent } from 'react';
import type { AlertStatus } from '../../../../protocol/alerts.ts';
import { useCreateSilence } from '../api/silences.ts';
import { silenceRequest, targetLabel, targetsOf, type SilenceTarget } from '../model/silence-request.ts';

/** Silence a firing alert's rule and/or restaurant for N hours, with a reason (engineers only; the hub checks). */
export function SilenceForm({ status, onDone }: { status: AlertStatus; onDone: () => void }) {
  const targets = targetsOf(status);
  const [target, setTarget] = useState<SilenceTarget>(targets[0]!);
  const [hours, setHours] = useState('2');
  const [why, setWhy] = useState('');
  const create = useCreateSilence();
  const id = useId();

  function submit(e: FormEvent): void {
    e.preventDefault();
    create.mutate(silenceRequest(status, target, Number(hours), why, Date.now()), { onSuccess: onDone });
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3 p-2 text-sm" data-testid="silence-form" aria-label={`Silence ${status.name}`}>
      <fieldset className="flex flex-col gap-1">
        <legend className="text-xs text-muted">Silence</legend>
        {targets.map((t) => (
          <label key={t} className="flex items-center gap-1">
            <input type="radio" name={`${id}-target`} value={t} checked={target === t} onChange={() => setTarget(t)} />
            {targetLabel(status, t)}
          </label>
        ))}
      </fieldset>
      <label className="flex flex-col gap-1">
        <span className="text-xs text-muted">For (hours)</span>
        <input type="number" min="0.25" max="2160" step="0.25" required value={hours} onChange={(e) => setHours(e.target.value)} className="w-24 rounded border border-line bg-surface px-1 py-0.5" data-testid="silence-hours" />
      </label>
      <label className="flex min-w-64 flex-1 flex-col gap-1">
        <span className="text-xs text-muted">Why</span>
        <input type="text" required maxLength={500} value={why} onChange={(e) => setWhy(e.target.value)} className="rounded border border-line bg-surface px-1 py-0.5" data-testid="silence-why" />
      </label>
      <button type="submit" disabled={create.isPending} className="rounded border border-line px-2 py-1 hover:bg-raised disabled:opacity-50" data-testid="silence-submit">
        Silence
      </button>
      <button type="button" onClick={onDone} className="px-2 py-1 text-muted hover:text-fg">
        Cancel
      </button>
      {create.error && (
        <p role="alert" className="w-full text-bad" data-testid="silence-error">
          Not silenced: {create.error.message}
        </p>
      )}
    </form>
  );
}
