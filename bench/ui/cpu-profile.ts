/**
 * Where the page's main thread spends its time, function by function: a V8 CPU profile (CDP
 * `Profiler`) of part of the steady state, summed into self time (the function's own code) and
 * total time (with what it called). The tick figures say how long a tick took; this says what in
 * it, so a fix starts from a measurement rather than a guess. Pure apart from the file it writes.
 */
import { writeFileSync } from 'node:fs';

/** The shape of CDP's `Profiler.Profile`, as far as it is read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionTime {
  /** `name (file:line)`; "(idle)", "(program)", "(garbage collector)" are V8's own entries. */
  fn: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  profiledMs: number;
  /** Sampled time not idle: what the thread ran, by V8's count. */
  busyMs: number;
  functions: FunctionTime[];
}

const fileOf = (url: string): string => url.slice(url.lastIndexOf('/') + 1).replace(/\?.*$/, '');

function label(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url ? `${name} (${fileOf(frame.url)}:${frame.lineNumber + 1})` : name;
}

/**
 * Self and total time per function, largest self time first. A sample's time is the delta to the
 * next sample (what DevTools shows); a function recursing is counted once per sample in its total.
 */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busyUs = 0;
  for (let i = 0; i < samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    const leaf = byId.get(samples[i]!);
    if (!leaf) continue;
    const leafLabel = label(leaf.callFrame);
    self.set(leafLabel, (self.get(leafLabel) ?? 0) + us);
    if (leafLabel !== '(idle)') busyUs += us;
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const l = label(byId.get(id)!.callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + us);
    }
  }
  const functions = [...total.keys()]
    .filter((fn) => fn !== '(root)')
    .map((fn) => ({ fn, selfMs: (self.get(fn) ?? 0) / 1000, totalMs: total.get(fn)! / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs);
  return { profiledMs: (profile.endTime - profile.startTime) / 1000, busyMs: busyUs / 1000, functions };
}

/** The summary as lines, per tick when `ticks` is known: the top by self time, then by total. */
export function formatProfile(s: ProfileSummary, ticks: number, top = 25): string[] {
  const per = (ms: number): string => (ticks > 0 ? `${(ms / ticks).toFixed(2)} ms/tick` : `${ms.toFixed(0)} ms`);
  const pct = (ms: number): string => `${((ms / Math.max(1, s.busyMs)) * 100).toFixed(1)} %`;
  const notV8 = (f: FunctionTime): boolean => !/^\((idle|program|root|garbage collector)\)$/.test(f.fn);
  const lines = [`CPU profile: ${(s.profiledMs / 1000).toFixed(0)} s, main thread busy ${per(s.busyMs)} over ${ticks} ticks`, 'by self time:'];
  for (const f of s.functions.filter((f) => f.fn !== '(idle)').slice(0, top)) lines.push(`  ${per(f.selfMs).padStart(15)}  ${pct(f.selfMs).padStart(7)}  ${f.fn}`);
  lines.push('by total time (with callees):');
  const byTotal = s.functions.filter(notV8).sort((a, b) => b.totalMs - a.totalMs);
  for (const f of byTotal.slice(0, top)) lines.push(`  ${per(f.totalMs).padStart(15)}  ${pct(f.totalMs).padStart(7)}  ${f.fn}`);
  return lines;
}

export function writeProfile(path: string, profile: CpuProfile): void {
  writeFileSync(path, JSON.stringify(profile));
}
