import { lazy, Suspense } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { NotInScope, ScopeId } from '../../../components/not-in-scope.tsx';
import { isNotInScope } from '../../../lib/api-client.ts';
import { readWindow, withWindow, type TerminalWindow } from '../model/terminal-window.ts';
import { ConnectionBar } from './connection-bar.tsx';
import { DiagnosticReport } from './diagnostic-report.tsx';
import { DisconnectList } from './disconnect-list.tsx';
import { EventList } from './event-list.tsx';
import { ExportButtons } from './export-buttons.tsx';
import { HeartbeatStripView } from './heartbeat-strip-view.tsx';
import { useTerminalTimeline } from './use-terminal-timeline.ts';
import { WindowPicker } from './window-picker.tsx';

const LatencyCharts = lazy(() => import('./latency-charts.tsx'));

/**
 * `/restaurants/:rid/terminals/:tid?window=15m|1h|24h` or `?from=&to=`: the terminal's connection
 * timeline over the window, its heartbeats and latency, the diagnosis in words, and the window as
 * CSV or JSON. A terminal is (rid, tid): tills are named per restaurant (issue 18, item 3).
 */
export function TerminalViewPage() {
  const routeParams = useParams();
  const rid = routeParams.rid ?? '';
  const tid = routeParams.tid ?? '';
  const [params, setParams] = useSearchParams();
  const w = readWindow(params);
  const { timeline, policy, query, beatLog } = useTerminalTimeline(rid, tid, w);
  const choose = (next: TerminalWindow): void => setParams((prev) => withWindow(prev, next), { replace: true });

  if (isNotInScope(query.error) || (query.error && 'status' in query.error && query.error.status === 404)) {
    return (
      <NotInScope>
        Terminal <ScopeId id={tid} /> of <ScopeId id={rid} /> is not in the restaurants your sign-in covers, or is unknown.
      </NotInScope>
    );
  }

  return (
    <div className="space-y-4" data-testid="terminal-page" data-rid={rid} data-tid={tid}>
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link to="/" className="text-accent hover:underline">
          Fleet
        </Link>
        {' / '}
        <Link to={`/restaurants/${encodeURIComponent(rid)}`} className="text-accent hover:underline">
          {rid}
        </Link>{' '}
        / <span className="break-all">{tid}</span>
      </nav>
      <h1 className="break-all text-2xl font-semibold">Terminal {tid}</h1>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <WindowPicker key={params.toString()} value={w} onChange={choose} />
        <ExportButtons tid={tid} rid={rid} window={w} samples={beatLog.samples} samplesSince={beatLog.since} policy={policy} />
      </div>
      {query.isError && <p className="text-sm text-bad">The timeline could not be loaded: {query.error.message}</p>}
      {!timeline ? (
        query.isPending && <p className="text-muted">Loading the timeline…</p>
      ) : (
        <>
          {query.data?.page.more && <p className="text-sm text-warn">This window holds more events than one read returns; the oldest are shown up to the limit.</p>}
          <DiagnosticReport timeline={timeline} />
          <section aria-label="Timeline" className="space-y-3 rounded-md border border-line bg-surface p-3">
            <ConnectionBar timeline={timeline} />
            <HeartbeatStripView timeline={timeline} />
          </section>
          <Suspense fallback={<p className="text-sm text-muted">Loading charts…</p>}>
            <LatencyCharts timeline={timeline} />
          </Suspense>
          <DisconnectList timeline={timeline} />
          <EventList timeline={timeline} />
        </>
      )}
    </div>
  );
}
