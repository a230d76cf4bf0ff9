import { useMemo } from 'react';
import { diagnose } from '../../../../core/timeline/diagnose.ts';
import type { Timeline } from '../../../../core/timeline/timeline-types.ts';
import { KpiTile, type TileTone } from '../../../components/kpi-tile.tsx';
import { formatAgo, formatDuration, formatMs, formatShare, noData } from '../../../lib/format.ts';
import { useNow } from '../../../live/use-live.ts';

/** Clock times in the report: the viewer's zone, to the minute ("since 19:40"). */
const hourMinute = (t: number): string => {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** The report in figures and words; "last heartbeat N s ago" ticks each second. */
export function DiagnosticReport({ timeline }: { timeline: Timeline }) {
  const now = useNow(1000);
  const r = useMemo(() => diagnose(timeline, Math.max(now, timeline.end), { formatTime: hourMinute }), [timeline, now]);
  const stateTone: TileTone = r.state === 'connected' ? 'ok' : r.state === 'disconnected' ? 'bad' : 'neutral';
  const tiles: { id: string; label: string; value: string; detail: string; tone: TileTone }[] = [
    { id: 'state', label: 'State', value: r.state, detail: r.uptimeMs !== null ? `up ${formatDuration(r.uptimeMs)}` : r.since !== null ? `since ${hourMinute(r.since)}` : noData, tone: stateTone },
    { id: 'stability', label: 'Stability', value: formatShare(r.stability), detail: 'share of the window connected', tone: r.stability === null ? 'neutral' : r.stability >= 0.99 ? 'ok' : r.stability >= 0.9 ? 'warn' : 'bad' },
    { id: 'attempts', label: 'Reconnect attempts', value: String(r.reconnectAttempts), detail: r.attemptsTooSoon > 0 ? `${r.attemptsTooSoon} too soon` : 'all within the policy', tone: r.attemptsTooSoon > 0 ? 'bad' : 'neutral' },
    { id: 'heartbeat', label: 'Last heartbeat', value: formatAgo(r.lastHeartbeatAt, Math.max(now, timeline.end)), detail: 'as the gateway received it', tone: 'neutral' },
    { id: 'rtt', label: 'RTT avg / p95', value: r.rtt.count > 0 ? `${formatMs(r.rtt.mean)} / ${formatMs(r.rtt.p95)}` : noData, detail: `${r.rtt.count} samples`, tone: 'neutral' },
    { id: 'latency', label: 'Delivery avg / p95', value: r.latency.count > 0 ? `${formatMs(r.latency.mean)} / ${formatMs(r.latency.p95)}` : noData, detail: `${r.latency.count} samples`, tone: 'neutral' },
  ];
  return (
    <section aria-labelledby="report-title" className="space-y-2" data-testid="diagnostic-report">
      <h2 id="report-title" className="font-medium">
        Diagnosis
      </h2>
      <div className="grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-6">
        {tiles.map((t) => (
          <KpiTile key={t.id} {...t} />
        ))}
      </div>
      <ul className="space-y-0.5 text-sm" data-testid="report-lines">
        {r.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {r.issues.length > 0 && (
        <div className="rounded-md border border-bad/40 bg-bad/5 p-2">
          <h3 className="text-sm font-medium text-bad">Issues found</h3>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm" data-testid="report-issues">
            {r.issues.map((i) => (
              <li key={i.code} data-issue={i.code}>
                {i.text}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
