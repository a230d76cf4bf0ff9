/**
 * The fleet view left open as a support agent leaves it: signed in through the link, then watched
 * for N minutes. Minute 0–1 is warm-up (the first snapshot, lazy chunks, the history fetch, the
 * JIT); minute 1 → N is the steady state every figure is taken over. The JS heap is read after a
 * forced GC at minute 1 and at minute N, just outside the steady window, so the GCs' own long
 * tasks are not counted as the SPA's.
 */
import type { Page } from 'playwright-core';
import type { CdpRecorder, HeapSample, MainThreadTotals } from './cdp-recorder.ts';
import type { CpuProfile } from './cpu-profile.ts';
import { heapGroups, type HeapGroup } from './heap-snapshot.ts';
import type { MainThreadTime, MainThreadTrace } from './main-thread-trace.ts';
import { drainProbes, pageNow, type Span, type Tick } from './page-probes.ts';
import type { ShadowFrame, StreamShadow } from './stream-shadow.ts';
import { percentile } from '../shared/stats.ts';

export interface FleetSessionOptions {
  url: string;
  shadow: StreamShadow;
  /** Traced over the steady state only. */
  trace: MainThreadTrace;
  minutes: number;
  progress: (line: string) => void;
  /** Profile the page's JS for this long from the start of the steady state (0: not at all). */
  profileMs?: number;
  /** Heap snapshots beside the two heap readings (seconds each, outside the steady window). */
  heapSnapshots?: boolean;
}

/** What the steady state measured: the part of a run that ui-report.ts summarises. */
export interface FleetMeasures {
  /** Steady state: from minute 1 to minute N, on the page's clock and on ours. */
  ticks: Tick[];
  longTasks: Span[];
  steadyMs: number;
  /** `[received at, bytes]` of every message the page's sockets received, as the page counted them. */
  frames: Span[];
  /** The same stream as a second viewer read it: what the bytes were made of. */
  shadowFrames: ShadowFrame[];
  heapMinute1: HeapSample;
  heapMinuteN: HeapSample;
  mainThreadStart: MainThreadTotals;
  mainThreadEnd: MainThreadTotals;
  /** The same steady state as traced: each task's wall and CPU time. */
  traced: MainThreadTime;
}

export interface FleetSession extends FleetMeasures {
  /** The CPU profile and the ticks applied while it ran. */
  profile: { profile: CpuProfile; ticks: number } | null;
  heapGroups: { minute1: Map<string, HeapGroup>; minuteN: Map<string, HeapGroup> } | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const drainEveryMs = 5000;
const progressEveryMs = 30_000;

export async function watchFleet(page: Page, cdp: CdpRecorder, o: FleetSessionOptions): Promise<FleetSession> {
  const ticks: Tick[] = [];
  const longTasks: Span[] = [];
  const frames: Span[] = [];
  const drain = async (): Promise<number> => {
    const d = await drainProbes(page);
    ticks.push(...d.ticks);
    longTasks.push(...d.longTasks);
    frames.push(...d.frames);
    return d.now;
  };

  await page.goto(o.url);
  await page.locator('[data-testid="restaurant-list"] [role="listitem"]').first().waitFor({ timeout: 90_000 });
  await page.locator('[data-testid="kpi-connected-value"]').filter({ hasNotText: '—' }).waitFor({ timeout: 30_000 });
  const startedAt = Date.now();
  o.progress(`signed in; fleet view live — warming up for 1 min, then ${o.minutes - 1} min of steady state`);

  let tracing = false;
  const waitUntil = async (at: number, label: string): Promise<void> => {
    let nextProgress = Date.now() + progressEveryMs;
    while (Date.now() < at) {
      await sleep(Math.min(drainEveryMs, Math.max(0, at - Date.now())));
      await drain();
      if (Date.now() >= nextProgress) {
        nextProgress += progressEveryMs;
        const recent = ticks.slice(-30).map(([, d]) => d);
        const elapsed = (Date.now() - startedAt) / 60_000;
        o.progress(`${label} ${elapsed.toFixed(1)} min: ${ticks.length} ticks (last 30: p95 ${percentile(recent, 95).toFixed(1)} ms), ${longTasks.length} long tasks, ${frames.length} frames`);
        // Cutting the trace at each progress line keeps its buffer small.
        if (tracing) await o.trace.cut();
      }
    }
  };

  await waitUntil(startedAt + 60_000, 'warm-up');
  await drain();
  const snapshot1 = o.heapSnapshots ? heapGroups(await cdp.heapSnapshot()) : null;
  const heapMinute1 = await cdp.heapAfterGc();
  const steadyFrom = await pageNow(page);
  const steadyFromAt = Date.now();
  const mainThreadStart = await cdp.mainThread();
  await o.trace.start();
  tracing = true;
  o.progress(`minute 1: heap ${(heapMinute1.usedBytes / 1e6).toFixed(2)} MB after GC; steady state starts`);

  let profile: FleetSession['profile'] = null;
  if (o.profileMs) {
    const from = await pageNow(page);
    await cdp.startProfile();
    o.progress(`CPU profile for ${(o.profileMs / 1000).toFixed(0)} s (the ticks meanwhile pay for the sampling)`);
    await waitUntil(steadyFromAt + o.profileMs, 'profiling');
    const recorded = await cdp.stopProfile();
    const to = await drain();
    profile = { profile: recorded, ticks: ticks.filter(([start]) => start >= from && start <= to).length };
  }
  await waitUntil(startedAt + o.minutes * 60_000, 'steady');
  const steadyTo = await drain();
  const steadyToAt = Date.now();
  const mainThreadEnd = await cdp.mainThread();
  const traced = await o.trace.stop();
  tracing = false;
  const heapMinuteN = await cdp.heapAfterGc();
  o.progress(`minute ${o.minutes}: heap ${(heapMinuteN.usedBytes / 1e6).toFixed(2)} MB after GC`);
  const snapshotN = snapshot1 ? heapGroups(await cdp.heapSnapshot()) : null;

  // Both forced GCs fall outside this window (before its start, after its end).
  const inSteady = ([start, duration]: Span | Tick): boolean => start >= steadyFrom && start + duration <= steadyTo;
  return {
    ticks: ticks.filter(inSteady),
    longTasks: longTasks.filter(inSteady),
    steadyMs: steadyTo - steadyFrom,
    frames: frames.filter(([at]) => at >= steadyFrom && at <= steadyTo),
    shadowFrames: o.shadow.frames.filter((f) => f.at >= steadyFromAt && f.at <= steadyToAt),
    heapMinute1,
    heapMinuteN,
    mainThreadStart,
    mainThreadEnd,
    traced,
    profile,
    heapGroups: snapshot1 && snapshotN ? { minute1: snapshot1, minuteN: snapshotN } : null,
  };
}
