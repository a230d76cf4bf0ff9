/**
 * The UI bench's figures, summarised and printed beside issue 4's targets. Pure: it takes what the
 * run recorded and returns numbers and lines, so it is tested without a browser.
 */
import type { MainThreadTotals } from './cdp-recorder.ts';
import type { FleetMeasures } from './fleet-session.ts';
import type { BundleSize } from './spa-bundle.ts';
import { changedFieldShares } from './stream-shadow.ts';
import { percentile } from '../shared/stats.ts';

export const targets = { tickP95Ms: 8, longTasks: 0, heapGrowthPct: 10, streamBytesPerSec: 10_000, initialJsGzipBytes: 250_000, terminalViewMs: 500 };

export interface TerminalViewTiming {
  ms: number;
  /** Lifecycle events the page was served for the window (the API's answers, summed). */
  events: number;
  longTasks: number;
}

export interface UiBenchRaw extends FleetMeasures {
  restaurants: number;
  terminals: number;
  minutes: number;
  connected: number;
  browser: string;
  initialJs: BundleSize;
  fleetViewJs: BundleSize;
  terminalView: TerminalViewTiming | { notMeasured: string };
}

export function summarise(raw: UiBenchRaw) {
  const seconds = raw.steadyMs / 1000;
  const tickMs = raw.ticks.map(([, d]) => d);
  const deltas = raw.shadowFrames.filter((f) => f.type === 'delta');
  const bytes = raw.frames.reduce((sum, [, b]) => sum + b, 0);
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const mt = (k: keyof MainThreadTotals): number => ((raw.mainThreadEnd[k] - raw.mainThreadStart[k]) * 1000) / seconds;
  return {
    fleet: `${raw.restaurants.toLocaleString('en-US')} restaurants × ${raw.terminals} terminals (${raw.connected.toLocaleString('en-US')} connected at start)`,
    minutes: raw.minutes,
    browser: raw.browser,
    tick: {
      count: tickMs.length,
      p50Ms: percentile(tickMs, 50),
      p95Ms: percentile(tickMs, 95),
      maxMs: tickMs.length ? Math.max(...tickMs) : NaN,
      /** Each part alone (0 with an SPA that does not report it): decoding, reducer + store, React. */
      decodeP95Ms: percentile(raw.ticks.map(([, , d]) => d), 95),
      storeP95Ms: percentile(raw.ticks.map(([, , , s]) => s), 95),
      renderP95Ms: percentile(raw.ticks.map(([, , , , r]) => r), 95),
    },
    longTasks: {
      count: raw.longTasks.length,
      longestMs: raw.longTasks.length ? Math.max(...raw.longTasks.map(([, d]) => d)) : 0,
      totalMs: sum(raw.longTasks.map(([, d]) => d)),
      /** From the trace: tasks over 50 ms of wall time, and how much of it the thread ran. */
      tracedCpuMs: raw.traced.long.map((t) => t.cpuMs).sort((a, b) => b - a),
      overFiftyCpu: raw.traced.long.filter((t) => t.cpuMs > 50).length,
    },
    heap: {
      minute1Bytes: raw.heapMinute1.usedBytes,
      minuteNBytes: raw.heapMinuteN.usedBytes,
      growthPct: ((raw.heapMinuteN.usedBytes - raw.heapMinute1.usedBytes) / raw.heapMinute1.usedBytes) * 100,
      domNodes: [raw.heapMinute1.domNodes, raw.heapMinuteN.domNodes],
    },
    stream: {
      bytesPerSec: bytes / seconds,
      framesPerSec: raw.frames.length / seconds,
      avgDeltaBytes: deltas.length ? sum(deltas.map((f) => f.bytes)) / deltas.length : 0,
      restaurantsPerDelta: deltas.length ? sum(deltas.map((f) => f.restaurants)) / deltas.length : 0,
      /** Of those, how many changed in what the list shows, at the precision shown (a projection). */
      shownChangedPerDelta: deltas.length ? sum(deltas.map((f) => f.shownChanged)) / deltas.length : 0,
      eventsPerDelta: deltas.length ? sum(deltas.map((f) => f.events)) / deltas.length : 0,
      snapshots: raw.shadowFrames.filter((f) => f.type === 'snapshot').length,
      /** In the restaurants a delta re-sent, the share in which each figure had changed. */
      changedFields: changedFieldShares(raw.shadowFrames).map(([field, share]) => ({ field, share })),
    },
    mainThread: {
      taskMsPerSec: mt('task'),
      scriptMsPerSec: mt('script'),
      layoutMsPerSec: mt('layout'),
      styleMsPerSec: mt('style'),
      tracedCpuMsPerSec: raw.traced.cpuMs / seconds,
      tracedWallMsPerSec: raw.traced.wallMs / seconds,
    },
    initialJs: { gzipBytes: raw.initialJs.gzipBytes, files: raw.initialJs.files.length },
    fleetViewJs: { gzipBytes: raw.fleetViewJs.gzipBytes, files: raw.fleetViewJs.files.length },
    terminalView: raw.terminalView,
  };
}
export type UiBenchSummary = ReturnType<typeof summarise>;

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—');
const mark = (ok: boolean): string => (ok ? '✓' : '✗');
/** The trace's view of the long tasks; it can miss one that straddled a cut, or see it at ≤ 50 ms. */
const tracedCpu = (cpu: readonly number[], overFifty: number): string =>
  cpu.length === 0 ? 'not over 50 ms in the trace' : `CPU of each ${cpu.map((c) => c.toFixed(0)).join('/')} ms; ${overFifty} over 50 ms of CPU`;

interface Row {
  label: string;
  value: string;
  target: string;
  ok: boolean | null;
}

export function rows(s: UiBenchSummary): Row[] {
  const tv = s.terminalView;
  return [
    { label: 'main thread per live tick', value: `p50 ${ms(s.tick.p50Ms)} · p95 ${ms(s.tick.p95Ms)} · max ${ms(s.tick.maxMs)} (${s.tick.count} ticks; p95 of the parts: decode ${ms(s.tick.decodeP95Ms)}, store ${ms(s.tick.storeP95Ms)}, render ${ms(s.tick.renderP95Ms)})`, target: `p95 ≤ ${targets.tickP95Ms} ms`, ok: s.tick.p95Ms <= targets.tickP95Ms },
    {
      label: 'long tasks > 50 ms, steady',
      value: `${s.longTasks.count}${s.longTasks.count ? ` (longest ${ms(s.longTasks.longestMs)}; ${tracedCpu(s.longTasks.tracedCpuMs, s.longTasks.overFiftyCpu)})` : ''}`,
      target: 'none',
      ok: s.longTasks.count <= targets.longTasks,
    },
    { label: `JS heap, min 1 → min ${s.minutes}`, value: `${mb(s.heap.minute1Bytes)} → ${mb(s.heap.minuteNBytes)} (${s.heap.growthPct >= 0 ? '+' : ''}${s.heap.growthPct.toFixed(1)} %)`, target: `≤ ${targets.heapGrowthPct} %`, ok: s.heap.growthPct <= targets.heapGrowthPct },
    {
      label: 'stream, steady',
      value: `${kb(s.stream.bytesPerSec)}/s (${s.stream.framesPerSec.toFixed(2)} frames/s; a delta ${kb(s.stream.avgDeltaBytes)}: ${s.stream.restaurantsPerDelta.toFixed(1)} restaurants, ${s.stream.eventsPerDelta.toFixed(1)} events)`,
      target: `≤ ${targets.streamBytesPerSec / 1000} KB/s`,
      ok: s.stream.bytesPerSec <= targets.streamBytesPerSec,
    },
    { label: 'initial JS, gzip', value: `${kb(s.initialJs.gzipBytes)} (entry + ${s.initialJs.files - 1} static imports)`, target: `≤ ${targets.initialJsGzipBytes / 1000} KB`, ok: s.initialJs.gzipBytes <= targets.initialJsGzipBytes },
    'notMeasured' in tv
      ? { label: 'terminal view, 24 h', value: `not measured (${tv.notMeasured})`, target: '≤ 500 ms', ok: null }
      : { label: 'terminal view, 24 h', value: `${ms(tv.ms)} (${tv.events.toLocaleString('en-US')} events, ${tv.longTasks} long tasks)`, target: '≤ 500 ms', ok: tv.ms <= targets.terminalViewMs },
  ];
}

export function formatReport(s: UiBenchSummary): string {
  const table = rows(s);
  const w = Math.max(...table.map((r) => r.label.length));
  const v = Math.max(...table.map((r) => r.value.length));
  const lines = [`bench:ui — ${s.fleet}; steady state minute 1 → ${s.minutes}; ${s.browser}`];
  for (const r of table) lines.push(`  ${r.label.padEnd(w)}  ${r.value.padEnd(v)}  target ${r.target.padEnd(12)} ${r.ok === null ? '–' : mark(r.ok)}`);
  const m = s.mainThread;
  lines.push(
    `  (info) main thread busy, steady: ${m.tracedWallMsPerSec.toFixed(0)} ms/s of which ${m.tracedCpuMsPerSec.toFixed(0)} ms/s on a core (script ${m.scriptMsPerSec.toFixed(0)}, layout ${m.layoutMsPerSec.toFixed(0)}, style ${m.styleMsPerSec.toFixed(0)}); DOM nodes ${s.heap.domNodes.join(' → ')}; fleet view JS ${kb(s.fleetViewJs.gzipBytes)} gzip; ${s.stream.snapshots} snapshots in steady state`,
  );
  if (s.stream.changedFields.length > 0) {
    const top = s.stream.changedFields.slice(0, 5).map((c) => `${c.field} ${(c.share * 100).toFixed(0)} %`);
    lines.push(
      `  (info) a re-sent restaurant had changed: ${top.join(', ')}; ${s.stream.shownChangedPerDelta.toFixed(1)} of the ${s.stream.restaurantsPerDelta.toFixed(1)} a delta changed on screen (list fields at their shown precision)`,
    );
  }
  return lines.join('\n');
}

/** True when every measured figure meets its target. */
export function allMet(s: UiBenchSummary): boolean {
  return rows(s).every((r) => r.ok !== false);
}
