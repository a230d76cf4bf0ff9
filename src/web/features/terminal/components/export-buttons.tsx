import { useState } from 'react';
import { buildTimeline } from '../../../../core/timeline/build-timeline.ts';
import { timelineRulesOf } from '../../../../core/timeline/timeline-policy.ts';
import { exportFileName, toCsv, toJson } from '../../../../core/timeline/timeline-export.ts';
import type { HeartbeatSample } from '../../../../core/timeline/timeline-types.ts';
import { useApi } from '../../../lib/api-context.ts';
import { useClock } from '../../../lib/clock.ts';
import { fetchTerminalEvents, storeLagMs } from '../api/get-terminal-events.ts';
import { withConnNames } from '../model/beat-log.ts';
import type { ViewPolicy } from '../model/terminal-events.ts';
import { resolveWindow, type TerminalWindow } from '../model/terminal-window.ts';

/** Saves `text` as a file: a Blob behind a temporary link, released once clicked. */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

interface Props {
  tid: string;
  rid: string;
  window: TerminalWindow;
  samples: readonly HeartbeatSample[];
  samplesSince: number | null;
  policy: ViewPolicy;
}

/**
 * CSV (one row per lifecycle event in the window) and JSON (the timeline). Both are read afresh
 * from the store when clicked, so the file holds what was recorded — not what the live feed
 * showed a moment ago — and every event of the window up to the click.
 */
export function ExportButtons({ tid, rid, window: w, samples, samplesSince, policy }: Props) {
  const api = useApi();
  const clock = useClock();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const save = async (ext: 'csv' | 'json'): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      const now = clock.now();
      const { from, to } = resolveWindow(w, now);
      const page = await fetchTerminalEvents(api, rid, tid, from, Math.min(to, now));
      const name = exportFileName(tid, from, to, ext, rid);
      if (ext === 'csv') {
        download(name, 'text/csv;charset=utf-8', toCsv(page.events, { from, to }));
      } else {
        const events = [...page.events, ...withConnNames(samples, page.events)];
        const timeline = buildTimeline({ events, from, to, now, ...timelineRulesOf(policy), heartbeatsFrom: samplesSince ?? Infinity, recordsUntil: now - storeLagMs });
        download(name, 'application/json', toJson(timeline, { tid, rid, exportedAt: new Date(now).toISOString() }));
      }
    } catch (error) {
      setProblem(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex items-center gap-1 text-xs" role="group" aria-label="Export">
      <span className="text-muted">Export</span>
      {(['csv', 'json'] as const).map((ext) => (
        <button key={ext} type="button" disabled={busy} onClick={() => void save(ext)} className="rounded border border-line px-2 py-0.5 uppercase disabled:opacity-50" data-testid={`export-${ext}`}>
          {ext}
        </button>
      ))}
      {problem && (
        <span role="alert" className="text-bad">
          {problem}
        </span>
      )}
    </div>
  );
}
