import { Link } from 'react-router';
import { formatMs, formatShare, noData } from '../../../lib/format.ts';
import type { SortColumn, SortDir, StabilityRow, Trend } from '../model/stability-table.ts';
import { Sparkline } from './sparkline.tsx';

const arrows: Record<Trend, { glyph: string; word: string; className: string }> = {
  better: { glyph: '▲', word: 'better', className: 'text-ok' },
  worse: { glyph: '▼', word: 'worse', className: 'text-bad' },
  same: { glyph: '▶', word: 'about the same', className: 'text-muted' },
  unknown: { glyph: '·', word: 'no previous figure', className: 'text-muted' },
};

const columns: { key: SortColumn; label: string }[] = [
  { key: 'rank', label: '#' },
  { key: 'name', label: 'Restaurant' },
  { key: 'stability', label: 'Stability' },
  { key: 'change', label: 'vs previous' },
  { key: 'reconnectsPerOpenHour', label: 'Reconnects / open h' },
  { key: 'heartbeatSuccess', label: 'Heartbeats' },
  { key: 'durationMeanMs', label: 'Conn. mean' },
  { key: 'rttP95Ms', label: 'RTT p95' },
  { key: 'deliveryP95Ms', label: 'Delivery p95' },
  { key: 'disconnects', label: 'Disconnects' },
];

const points = (change: number | null) => (change === null ? noData : `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} pt`);

/** The ranking; names and tags are the directory's data, rendered as text. */
export function StabilityTable(props: { rows: readonly StabilityRow[]; sort: SortColumn; dir: SortDir; onSort: (column: SortColumn) => void }) {
  const { rows, sort, dir, onSort } = props;
  return (
    <table className="w-full text-sm" data-testid="stability-table">
      <thead>
        <tr className="text-left text-muted">
          {columns.map((c) => (
            <th key={c.key} scope="col" aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'} className="px-2 py-1 font-medium">
              <button type="button" className="hover:text-fg" onClick={() => onSort(c.key)}>
                {c.label} {sort === c.key ? (dir === 'asc' ? '↑' : '↓') : ''}
              </button>
            </th>
          ))}
          <th scope="col" className="px-2 py-1 font-medium">Daily</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const a = arrows[r.trend];
          return (
            <tr key={r.rid} className="border-t border-line" data-rid={r.rid}>
              <td className="px-2 py-1 tabular-nums">{r.rank}</td>
              <td className="px-2 py-1">
                <Link to={`/restaurants/${encodeURIComponent(r.rid)}`} className="hover:underline">{r.name}</Link>
                {r.name !== r.rid && <span className="ml-1 text-muted">{r.rid}</span>}
                {!r.withHours && <span className="ml-1 text-muted" title="no opening hours in the restaurants file: counted all day">(all day)</span>}
                {r.tags.length > 0 && <div className="text-xs text-muted">{r.tags.join(' · ')}</div>}
              </td>
              <td className="px-2 py-1 tabular-nums" data-testid="stability">{formatShare(r.stability)}</td>
              <td className="px-2 py-1 tabular-nums" data-testid="trend" data-trend={r.trend}>
                <span className={a.className} aria-label={a.word}>{a.glyph}</span> {points(r.change)}
              </td>
              <td className="px-2 py-1 tabular-nums">{r.reconnectsPerOpenHour === null ? noData : r.reconnectsPerOpenHour.toFixed(2)}</td>
              <td className="px-2 py-1 tabular-nums">{formatShare(r.heartbeatSuccess)}</td>
              <td className="px-2 py-1 tabular-nums">{formatMs(r.durationMeanMs)}</td>
              <td className="px-2 py-1 tabular-nums">{formatMs(r.rttP95Ms)}</td>
              <td className="px-2 py-1 tabular-nums">{formatMs(r.deliveryP95Ms)}</td>
              <td className="px-2 py-1 tabular-nums">{r.disconnects}</td>
              <td className="px-2 py-1">
                <Sparkline daily={r.daily} label={`daily stability of ${r.name}`} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
