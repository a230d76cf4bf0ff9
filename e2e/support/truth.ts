/**
 * The simulator's ground truth (`pulse sim --truth FILE`, docs/scenarios.md): what the terminals
 * really did, read back as the run goes. The specs compare the screen with it.
 */
import { readFileSync } from 'node:fs';
import type { TruthEvent } from '../../src/server/sim/truth-events.ts';

export type { TruthEvent };
export type FaultStart = Extract<TruthEvent, { ev: 'fault_start' }>;
export type FaultEnd = Extract<TruthEvent, { ev: 'fault_end' }>;

/** Every complete line so far (the simulator flushes in batches: a last partial line is skipped). */
export function readTruth(path: string): TruthEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: TruthEvent[] = [];
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline, or a line still being written
  for (const line of lines) if (line.trim() !== '') out.push(JSON.parse(line) as TruthEvent);
  return out;
}

/** Open connections per the truth: welcomed opens minus ended ones, fleet-wide or for one restaurant. */
export function connectedCount(events: readonly TruthEvent[], rid?: string): number {
  let n = 0;
  for (const e of events) {
    if (e.ev !== 'open' && e.ev !== 'close') continue;
    if (rid !== undefined && e.rid !== rid) continue;
    n += e.ev === 'open' ? 1 : -1;
  }
  return n;
}

/** Distinct terminals that were ever welcomed (what the hub counts as expected), fleet-wide or per restaurant. */
export function terminalsSeen(events: readonly TruthEvent[], rid?: string): number {
  const tids = new Set<string>();
  for (const e of events) if (e.ev === 'open' && (rid === undefined || e.rid === rid)) tids.add(e.tid);
  return tids.size;
}

export function faultStart(events: readonly TruthEvent[], index: number): FaultStart | undefined {
  return events.find((e): e is FaultStart => e.ev === 'fault_start' && e.index === index);
}

export function faultEnd(events: readonly TruthEvent[], index: number): FaultEnd | undefined {
  return events.find((e): e is FaultEnd => e.ev === 'fault_end' && e.index === index);
}

/** When the given restaurant's connections, per the truth, last changed (ms since epoch), or null. */
export function lastChangeAt(events: readonly TruthEvent[], rid?: string): number | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if ((e.ev === 'open' || e.ev === 'close') && (rid === undefined || e.rid === rid)) return e.t;
  }
  return null;
}
