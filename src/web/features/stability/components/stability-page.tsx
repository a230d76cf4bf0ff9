import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { stabilityPeriodNames, type StabilityPeriodName } from '../../../../protocol/stability.ts';
import { formatShare } from '../../../lib/format.ts';
import { useStability } from '../api/get-stability.ts';
import { useUrlText } from '../../../lib/use-url-text.ts';
import { csvOf, fileSuffix, isSortColumn, rowsOf, searchRows, sortRows, type SortColumn } from '../model/stability-table.ts';
import { StabilityTable } from './stability-table.tsx';
import { WeekReportButton } from './week-report-button.tsx';

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * `/stability?period=7d&tag=…&sort=…&dir=…` (docs/stability.md): the viewer's restaurants ranked
 * worst first over a period, against the period before. Every choice is in the URL (deep link).
 */
export function StabilityPage() {
  const [params, setParams] = useSearchParams();
  const rawPeriod = params.get('period');
  const period: StabilityPeriodName = (stabilityPeriodNames as readonly string[]).includes(rawPeriod ?? '') ? (rawPeriod as StabilityPeriodName) : '7d';
  const tag = params.get('tag') || null;
  const rawSort = params.get('sort');
  const sort: SortColumn = isSortColumn(rawSort) ? rawSort : 'rank';
  const dir = params.get('dir') === 'desc' ? 'desc' : 'asc';
  const q = params.get('q') ?? '';
  const { data, error, isPending } = useStability(period, tag);
  const rows = useMemo(() => (data ? sortRows(searchRows(rowsOf(data), q), sort, dir) : []), [data, q, sort, dir]);

  const set = (changes: Record<string, string | null>) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      for (const [k, v] of Object.entries(changes)) if (v === null) next.delete(k); else next.set(k, v);
      return next;
    }, { replace: true });
  const [text, setText] = useUrlText(q, (v) => set({ q: v || null }));
  const onSort = (column: SortColumn) => set({ sort: column, dir: column === sort && dir === 'asc' ? 'desc' : 'asc' });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-4">
        <h1 className="text-lg font-semibold">Stability</h1>
        <label className="text-sm">
          Period{' '}
          <select value={period} onChange={(e) => set({ period: e.target.value })} className="rounded border border-line bg-surface px-1" data-testid="stability-period">
            {stabilityPeriodNames.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label className="text-sm">
          Tag{' '}
          <select value={tag ?? ''} onChange={(e) => set({ tag: e.target.value || null })} className="rounded border border-line bg-surface px-1" data-testid="stability-tag">
            <option value="">all</option>
            {(data?.tags ?? (tag ? [tag] : [])).map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label className="text-sm">
          Search{' '}
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="id, name or tag" className="rounded border border-line bg-surface px-1" data-testid="stability-search" />
        </label>
        <button type="button" disabled={!data} className="rounded border border-line px-2 py-0.5 text-sm hover:bg-raised" onClick={() => download(`stability-${period}${fileSuffix(tag)}.csv`, csvOf(rows), 'text/csv;charset=utf-8')}>
          Export CSV
        </button>
        <WeekReportButton tag={tag} onFile={(name, html) => download(name, html, 'text/html;charset=utf-8')} />
        {data && (
          <p className="text-sm text-muted" data-testid="stability-scope">
            All shown: {formatShare(data.scope.current.stability)} (previous {formatShare(data.scope.previous.stability)}) · counted within opening hours where the restaurants file has them
          </p>
        )}
      </div>
      {isPending && <p className="text-muted">Loading the stability review…</p>}
      {error && <p className="text-bad">The stability review could not be loaded: {error.message}</p>}
      {data && rows.length === 0 && <p className="text-muted">No restaurant in your scope{tag ? ` with the tag ${tag}` : ''}{q ? ` matching “${q}”` : ''}.</p>}
      {rows.length > 0 && <StabilityTable rows={rows} sort={sort} dir={dir} onSort={onSort} />}
    </div>
  );
}
