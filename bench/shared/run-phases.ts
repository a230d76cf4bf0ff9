/**
 * The phases every fleet bench runs a process under test through — idle baseline, ramp, settle,
 * steady state — written once for the gateway, probe and proxy benches, so that their figures are
 * taken the same way and stay comparable:
 *   1. idle baseline RSS: the lowest of the readings 10–30 s after start, after full GCs;
 *   2. the terminals ramp in until the process holds them all (or a generous bound passes);
 *   3. a full GC and one heartbeat interval of settling, so the ramp's garbage is not billed to 4;
 *   4. steady state, CPU read once per heartbeat interval: each window then holds exactly one ping
 *      of every terminal, so windows are comparable and their median is the figure.
 */
import type { ChildHandle } from './child-handle.ts';
import type { ProcessSample } from './bench-ipc.ts';
import { median } from './stats.ts';

export interface CpuWindow {
  seconds: number;
  pct: number;
  full: boolean;
}

/** `userPct` + `systemPct` (kernel time: reads, writes, epoll) make `meanPct`. */
export interface CpuFigures {
  windows: CpuWindow[];
  medianPct: number;
  meanPct: number;
  userPct: number;
  systemPct: number;
}

type Sampled = Pick<ChildHandle, 'sample'>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
export const cpuUs = (s: ProcessSample) => s.userUs + s.systemUs;
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * An idle gateway's RSS keeps falling in steps for 15–25 s after start (109 → 92 MiB measured; a
 * plain-JS build of it 77 → 70): the memory reducers of V8's main isolate and of tsx's loader
 * thread run seconds after start-up allocation stops, later on a loaded machine. The baseline is
 * the lowest of the idle readings taken every 5 s from 10 s to 30 s after start.
 */
export const baselineSettleMs = 30_000;

/** Steady-state windows: whole heartbeat intervals, then the remainder (if ≥ 1 s) as a partial one. */
export function planWindows(durationS: number, heartbeatIntervalMs: number): number[] {
  const windowS = heartbeatIntervalMs / 1000;
  const full = Math.floor(durationS / windowS);
  const rest = durationS - full * windowS;
  const windows = Array.from({ length: full }, () => windowS);
  if (rest >= 1 || full === 0) windows.push(rest);
  return windows;
}

export async function idleBaseline(child: Sampled, readyAt: number): Promise<ProcessSample> {
  let lowest: ProcessSample | null = null;
  for (let at = 10_000; at <= baselineSettleMs; at += 5000) {
    await sleep(at - (Date.now() - readyAt));
    const s = await settledMemory(child);
    if (lowest === null || s.rss - s.youngGen < lowest.rss - lowest.youngGen) lowest = s;
  }
  return lowest!;
}

/** A full GC, a second for V8's background threads to hand freed pages back, and another GC. */
export async function settledMemory(child: Sampled): Promise<ProcessSample> {
  await child.sample(true);
  await sleep(1000);
  return child.sample(true);
}

/**
 * Starts the terminals' ramp and polls every 250 ms until `poll` says all are held, printing its
 * line every 2 s. The bound is generous: on a loaded machine the terminals' in-flight cap slows
 * the ramp down. Returns the ramp's seconds.
 */
export async function rampIn(
  terminals: Pick<ChildHandle, 'send'>,
  o: { terminals: number; rampPerSec: number },
  poll: () => Promise<{ done: boolean; line: string }>,
  log: (line: string) => void,
): Promise<number> {
  const rampStart = Date.now();
  const rampBudgetMs = Math.max(60_000, 3 * (o.terminals / o.rampPerSec) * 1000 + 30_000);
  terminals.send({ type: 'start' });
  let lastLine = rampStart;
  for (;;) {
    await sleep(250);
    const { done, line } = await poll();
    const late = Date.now() - rampStart > rampBudgetMs;
    if (done || late || Date.now() - lastLine >= 2000) {
      lastLine = Date.now();
      log(`ramp ${((Date.now() - rampStart) / 1000).toFixed(1)} s: ${line}`);
    }
    if (done) break;
    if (late) {
      log(`ramp did not complete within ${Math.round(rampBudgetMs / 1000)} s; measuring what is held`);
      break;
    }
  }
  return (Date.now() - rampStart) / 1000;
}

/**
 * The ramp's garbage collected in `measured` now, not during the measurement, then one heartbeat
 * interval: the first two windows after the ramp measured ~25 % above the rest (10,000 terminals:
 * 4.0, 4.1, then 2.8–3.6 %), the ramp's garbage and JIT still settling. Returns the terminals'
 * sample the steady state starts from, RTTs reset.
 */
export async function settleAfterRamp(measured: readonly Sampled[], terminals: ChildHandle, heartbeatIntervalMs: number, log: (line: string) => void): Promise<ProcessSample> {
  await Promise.all(measured.map((child) => child.sample(true)));
  log(`ramp done; settling one heartbeat interval (${heartbeatIntervalMs / 1000} s) before measuring`);
  await sleep(heartbeatIntervalMs);
  terminals.send({ type: 'reset-rtt' });
  return terminals.sample();
}

export interface SteadyState {
  windows: CpuWindow[];
  first: ProcessSample;
  last: ProcessSample;
  /** Wall time from the first sample to the last, ms. */
  wallMs: number;
}

/** The steady state of `child`: its CPU per window; `onWindow` sees each sample (for its log line and own counts). */
export async function steadyState(
  child: Sampled,
  o: { durationS: number; heartbeatIntervalMs: number },
  onWindow: (s: ProcessSample, pct: number, seconds: number, elapsedS: number) => void,
): Promise<SteadyState> {
  const windows: CpuWindow[] = [];
  let prev = await child.sample();
  let prevAt = performance.now();
  const first = prev;
  const firstAt = prevAt;
  let elapsedS = 0;
  for (const seconds of planWindows(o.durationS, o.heartbeatIntervalMs)) {
    await sleep(seconds * 1000 - (performance.now() - prevAt));
    const s = await child.sample();
    const at = performance.now();
    const pct = ((cpuUs(s) - cpuUs(prev)) / ((at - prevAt) * 1000)) * 100;
    windows.push({ seconds: round((at - prevAt) / 1000), pct: round(pct, 3), full: seconds * 1000 === o.heartbeatIntervalMs });
    elapsedS += seconds;
    onWindow(s, pct, seconds, elapsedS);
    prev = s;
    prevAt = at;
  }
  return { windows, first, last: prev, wallMs: prevAt - firstAt };
}

/** The run's CPU: the median of the full windows (all, when none is full), and the means over the whole steady state. */
export function cpuFigures({ windows, first, last, wallMs }: SteadyState): CpuFigures {
  const steadyUs = wallMs * 1000;
  const full = windows.filter((w) => w.full);
  return {
    windows,
    medianPct: round(median((full.length > 0 ? full : windows).map((w) => w.pct)), 3),
    meanPct: round(((cpuUs(last) - cpuUs(first)) / steadyUs) * 100, 3),
    userPct: round(((last.userUs - first.userUs) / steadyUs) * 100, 3),
    systemPct: round(((last.systemUs - first.systemUs) / steadyUs) * 100, 3),
  };
}
