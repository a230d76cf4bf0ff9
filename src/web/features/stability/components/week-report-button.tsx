/**
 * The weekly report from the dashboard (docs/stability.md): the same self-contained HTML as
 * `pulse report week`, fetched with the viewer's token (never in a URL) from
 * `/api/stability/report`, which cuts it to the viewer's scope, and saved as a file.
 */
import { useState } from 'react';
import { isoWeekRange, lastWholeWeek } from '../../../../core/stability/iso-week.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import { fileSuffix } from '../model/stability-table.ts';

export function WeekReportButton({ tag, onFile }: { tag: string | null; onFile: (name: string, html: string) => void }) {
  const api = useApi();
  const clock = useClock();
  const [week, setWeek] = useState(() => lastWholeWeek(clock.now()));
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const valid = isoWeekRange(week) !== null;

  const fetchReport = async () => {
    setState({ busy: true, error: null });
    try {
      const html = await api.getText(`/api/stability/report?week=${week}${tag ? `&tag=${encodeURIComponent(tag)}` : ''}`);
      onFile(`stability-${week}${fileSuffix(tag)}.html`, html);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <span className="flex items-center gap-1 text-sm">
      <label>
        Week{' '}
        <input type="week" value={week} onChange={(e) => setWeek(e.target.value)} className="rounded border border-line bg-surface px-1" data-testid="report-week" />
      </label>
      <button type="button" disabled={!valid || state.busy} className="rounded border border-line px-2 py-0.5 hover:bg-raised" onClick={() => void fetchReport()}>
        {state.busy ? 'Preparing report…' : 'Download weekly report'}
      </button>
      {state.error && <span className="text-bad" role="alert">The report could not be made: {state.error}</span>}
    </span>
  );
}
