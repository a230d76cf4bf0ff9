import { formatClock } from '../../../lib/format.ts';
import { useCanSilence, useLiftSilence, useSilences } from '../api/silences.ts';
import { silenceScopeLabel } from '../model/silence-request.ts';
import { ColumnHeads } from './column-heads.tsx';

/** Silences in force or to come, in the viewer's scope; an engineer can lift those made here (the file's are edited in the file). */
export function SilencesList() {
  const { data, error, isPending } = useSilences();
  const canSilence = useCanSilence();
  const lift = useLiftSilence();
  if (isPending) return <p className="text-sm text-muted">Loading silences…</p>;
  if (error) return <p className="text-sm text-bad">Silences could not be loaded: {error.message}</p>;
  if (data.silences.length === 0) return <p className="text-sm text-muted">Nothing is silenced.</p>;
  return (
    <>
      <table className="w-full text-left text-sm" data-testid="silences">
        <caption className="sr-only">Silences, soonest to end first</caption>
        <thead className="text-xs uppercase tracking-wide text-muted">
          <ColumnHeads names={['Mutes', 'Until', 'By', 'Why']} actions />
        </thead>
        <tbody>
          {data.silences.map((s, i) => (
            <tr key={s.id ?? `file-${i}`} className="border-b border-line/60" data-testid="silence">
              <th scope="row" className="px-2 py-1 font-medium break-all">{silenceScopeLabel(s)}</th>
              <td className="px-2 py-1">{s.from !== null && s.from > data.t ? `${formatClock(s.from)} – ` : ''}{formatClock(s.until)}</td>
              <td className="px-2 py-1 break-all">{s.by}</td>
              <td className="px-2 py-1 break-all">{s.why}</td>
              <td className="px-2 py-1">
                {s.source === 'file' ? (
                  <span className="text-xs text-muted">alerts file</span>
                ) : canSilence && s.id !== null ? (
                  <button type="button" disabled={lift.isPending} onClick={() => lift.mutate(s.id ?? '')} className="rounded border border-line px-2 py-0.5 text-xs hover:bg-raised disabled:opacity-50" data-testid="lift-silence">
                    Lift
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {lift.error && <p role="alert" className="text-sm text-bad">Not lifted: {lift.error.message}</p>}
    </>
  );
}
