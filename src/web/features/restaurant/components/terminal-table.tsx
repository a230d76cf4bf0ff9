import { Link } from 'react-router';
import { StatusBadge } from '../../../components/status-badge.tsx';
import { formatAgo, formatDuration, formatMs, noData } from '../../../lib/format.ts';
import { useNow } from '../../../live/use-live.ts';
import { terminalPath } from '../../../lib/terminal-links.ts';
import type { TerminalRow } from '../model/terminal-rows.ts';

const stateLabel = { connected: 'Connected', disconnected: 'Disconnected', unknown: 'Unknown' } as const;

/** The restaurant's terminals, disconnected first; every id is text and an encoded link. */
export function TerminalTable({ rows }: { rows: readonly TerminalRow[] }) {
  const now = useNow();
  return (
    <table className="w-full text-left text-sm" data-testid="terminal-table">
      <caption className="sr-only">Terminals, disconnected first</caption>
      <thead className="text-xs uppercase tracking-wide text-muted">
        <tr className="border-b border-line">
          <th scope="col" className="px-2 py-1">Terminal</th>
          <th scope="col" className="px-2 py-1">State</th>
          <th scope="col" className="px-2 py-1">Uptime</th>
          <th scope="col" className="px-2 py-1">Last heartbeat</th>
          <th scope="col" className="px-2 py-1">RTT</th>
          <th scope="col" className="px-2 py-1">Last close</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.tid} className="border-b border-line/60" data-testid={`terminal-row-${t.tid}`} data-state={t.state}>
            <th scope="row" className="px-2 py-1 font-medium">
              <Link to={terminalPath(t.rid, t.tid)} className="break-all text-accent hover:underline">
                {t.tid}
              </Link>
            </th>
            <td className="px-2 py-1">
              <span className="mr-2">{stateLabel[t.state]}</span>
              <StatusBadge status={t.health} />
            </td>
            <td className="px-2 py-1">{t.state === 'connected' && t.since !== null ? formatDuration(now - t.since) : noData}</td>
            <td className="px-2 py-1">{formatAgo(t.lastHeartbeatAt, now)}</td>
            <td className="px-2 py-1">{formatMs(t.rttMs)}</td>
            <td className="max-w-64 truncate px-2 py-1 text-muted" title={t.lastClose ?? undefined}>
              {t.lastClose ?? noData}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
