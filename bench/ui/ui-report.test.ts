import { describe, expect, it } from 'vitest';
import { mainThreadTasks } from './main-thread-trace.ts';
import { changedFieldShares, shownKey, type ShadowFrame } from './stream-shadow.ts';
import { allMet, formatReport, summarise, type UiBenchRaw } from './ui-report.ts';
import { percentile } from '../shared/stats.ts';

const delta = (bytes: number, restaurants: number, changedFields: Record<string, number>, shownChanged = 0): ShadowFrame => ({
  at: 0,
  bytes,
  type: 'delta',
  restaurants,
  events: 1,
  changedFields,
  shownChanged,
});

function raw(over: Partial<UiBenchRaw> = {}): UiBenchRaw {
  return {
    restaurants: 2000,
    terminals: 5,
    minutes: 2,
    connected: 10_000,
    browser: 'Chromium test',
    ticks: Array.from({ length: 100 }, (_, i) => [i * 1000, i + 1, 0.5, 0.2, i + 0.3] as const),
    longTasks: [],
    steadyMs: 10_000,
    frames: Array.from({ length: 10 }, (_, i) => [i * 1000, 5000] as const),
    shadowFrames: [delta(5000, 10, { rttMs: 5, stability: 10 }, 2), delta(5000, 10, { rttMs: 5 }, 2)],
    heapMinute1: { usedBytes: 10e6, domNodes: 100, listeners: 5 },
    heapMinuteN: { usedBytes: 10.5e6, domNodes: 100, listeners: 5 },
    mainThreadStart: { task: 1, script: 0.5, layout: 0.1, style: 0.1 },
    mainThreadEnd: { task: 1.2, script: 0.6, layout: 0.11, style: 0.11 },
    traced: { tasks: 500, wallMs: 300, cpuMs: 200, long: [] },
    initialJs: { gzipBytes: 140_000, rawBytes: 450_000, files: ['a.js', 'b.js'] },
    fleetViewJs: { gzipBytes: 280_000, rawBytes: 900_000, files: ['a.js', 'b.js', 'c.js'] },
    terminalView: { ms: 450, events: 5000, longTasks: 0 },
    ...over,
  };
}

describe('UI bench report', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
    expect(percentile([], 95)).toBeNaN();
  });

  it('figures against targets: bytes per second, heap growth, ticks', () => {
    const s = summarise(raw());
    expect(s.stream.bytesPerSec).toBe(5000);
    expect(s.heap.growthPct).toBeCloseTo(5);
    expect(s.tick.p95Ms).toBe(95);
    expect([s.tick.decodeP95Ms, s.tick.storeP95Ms, s.tick.renderP95Ms]).toEqual([0.5, 0.2, 94.3]);
    expect(s.stream.changedFields).toEqual([
      { field: 'rttMs', share: 0.5 },
      { field: 'stability', share: 0.5 },
    ]);
    expect(s.stream.shownChangedPerDelta).toBe(2);
    expect(allMet(s)).toBe(false);
    const report = formatReport(s);
    expect(report).toMatch(/main thread per live tick .* p95 95\.0 ms .*✗/);
    expect(report).toMatch(/stream, steady .* 5\.0 KB\/s .*✓/);
    expect(report).toMatch(/terminal view, 24 h .* 450\.0 ms .*✓/);
    const long = formatReport(summarise(raw({ longTasks: [[0, 60]], traced: { tasks: 1, wallMs: 60, cpuMs: 20, long: [{ wallMs: 60, cpuMs: 20 }] } })));
    expect(long).toMatch(/long tasks > 50 ms, steady +1 \(longest 60\.0 ms; CPU of each 20 ms; 0 over 50 ms of CPU\)/);
    expect(formatReport(summarise(raw({ longTasks: [[0, 53]] })))).toMatch(/1 \(longest 53\.0 ms; not over 50 ms in the trace\)/);
  });

  it('a view that could not be timed reads "not measured", neither met nor missed', () => {
    const s = summarise(raw({ ticks: [[0, 2, 0, 0, 0]], terminalView: { notMeasured: 'no such route' } }));
    expect(formatReport(s)).toMatch(/terminal view, 24 h +not measured \(no such route\).* –/);
    expect(allMet(s)).toBe(true);
  });

  it('which figures a re-sent restaurant had changed, as shares of those re-sent', () => {
    expect(changedFieldShares([delta(1, 4, { a: 4, b: 1 }), delta(1, 4, { a: 2 }), { ...delta(1, 100, { a: 100 }), type: 'snapshot' }])).toEqual([
      ['a', 0.75],
      ['b', 0.125],
    ]);
  });

  it('the list’s view of a restaurant ignores what the list does not show', () => {
    const r = { rid: 'r-1', status: 'healthy', connections: 5, expected: 5, reconnectsPerMin: 0, heartbeatSuccess: 0.9991, rttMs: { p50: 1, p95: 40.2, p99: 90 }, errorsPerMin: 0 };
    expect(shownKey({ ...r, heartbeatSuccess: 0.99912, rttMs: { p50: 3, p95: 40.4, p99: 95 }, stability: 0.5 })).toBe(shownKey(r));
    expect(shownKey({ ...r, rttMs: { p50: 1, p95: 41, p99: 90 } })).not.toBe(shownKey(r));
  });
});

describe('main thread trace', () => {
  it('keeps the tasks of the busiest renderer main thread, in ms', () => {
    const events = [
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'CrRendererMain' } },
      { name: 'thread_name', ph: 'M', pid: 2, tid: 2, args: { name: 'CrRendererMain' } },
      { name: 'ThreadControllerImpl::RunTask', ph: 'X', pid: 1, tid: 1, dur: 60_000, tdur: 20_000 },
      { name: 'ThreadControllerImpl::RunTask', ph: 'X', pid: 2, tid: 2, dur: 1000, tdur: 900 },
      { name: 'ThreadControllerImpl::RunTask', ph: 'X', pid: 2, tid: 2, dur: 2000, tdur: 1500 },
      { name: 'ThreadControllerImpl::RunTask', ph: 'X', pid: 2, tid: 3, dur: 9000, tdur: 9000 },
    ];
    expect(mainThreadTasks({ traceEvents: events })).toEqual([
      { wallMs: 1, cpuMs: 0.9 },
      { wallMs: 2, cpuMs: 1.5 },
    ]);
  });
});
