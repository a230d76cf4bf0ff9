/**
 * What the connection bar draws, at most one shape per drawing unit: a day of a flapping terminal
 * is 5,000 segments and 2,500 attempts on a bar 1,000 units wide, and drawing each (with its hover
 * title) would cost more than the whole rest of the page. A segment wide enough (`ownShape`) keeps
 * its own shape and title; narrower neighbours merge into one shape that says what it holds
 * ("19:40–19:42: 6 disconnects (1006 ×5, 4008 ×1)"), shown as disconnected if any of them was.
 * The disconnect table keeps every one of them.
 */
import type { Attempt, ConnectionState, HeartbeatStatus, Segment } from '../../../../core/timeline/timeline-types.ts';
import { formatClock } from '../../../lib/format.ts';
import { attemptWords, heartbeatWords, runTitle, segmentTitle, type StripRun } from './timeline-words.ts';

export interface BarShape {
  x: number;
  width: number;
  state: ConnectionState;
  title: string;
}

export interface TickShape {
  x: number;
  tooSoon: boolean;
  title: string;
}

/**
 * A segment or run this many units wide is drawn alone; narrower ones merge into groups of at
 * least one unit. Two, not one: with one, runs of 1.1 units between slivers would still draw two
 * shapes per unit.
 */
const ownShape = 2;

const worse: Record<ConnectionState, number> = { connected: 0, unknown: 1, disconnected: 2 };

function denseTitle(list: readonly Segment[]): string {
  const first = list[0]!;
  const last = list.at(-1)!;
  const codes = new Map<number, number>();
  for (const s of list) if (s.state === 'disconnected') codes.set(s.by.code, (codes.get(s.by.code) ?? 0) + 1);
  const n = [...codes.values()].reduce((a, b) => a + b, 0);
  const byCode = [...codes].map(([code, k]) => `${code} ×${k}`).join(', ');
  return `${formatClock(first.start)}–${formatClock(last.end)}: ${n} disconnect${n === 1 ? '' : 's'}${n > 0 ? ` (${byCode})` : ''}`;
}

export function barShapes(segments: readonly Segment[], from: number, end: number, width: number): BarShape[] {
  const scale = width / Math.max(1, end - from);
  const x = (t: number): number => (t - from) * scale;
  const shapes: BarShape[] = [];
  let dense: Segment[] = [];
  const flush = (): void => {
    const first = dense[0];
    const last = dense.at(-1);
    if (!first || !last) return;
    const state = dense.reduce<ConnectionState>((w, s) => (worse[s.state] > worse[w] ? s.state : w), 'connected');
    shapes.push({ x: x(first.start), width: x(last.end) - x(first.start), state, title: dense.length === 1 ? segmentTitle(first) : denseTitle(dense) });
    dense = [];
  };
  for (const s of segments) {
    const w = x(s.end) - x(s.start);
    if (w >= ownShape) {
      flush();
      shapes.push({ x: x(s.start), width: w, state: s.state, title: segmentTitle(s) });
      continue;
    }
    dense.push(s);
    if (x(s.end) - x(dense[0]!.start) >= 1) flush();
  }
  flush();
  return shapes;
}

/** Attempts binned per unit: one tick each, too soon if any in it was. */
export function attemptTicks(attempts: readonly Attempt[], from: number, end: number, width: number): TickShape[] {
  const scale = width / Math.max(1, end - from);
  const bins = new Map<number, Attempt[]>();
  for (const a of attempts) {
    const unit = Math.min(width - 1, Math.max(0, Math.floor((a.t - from) * scale)));
    const list = bins.get(unit);
    if (list) list.push(a);
    else bins.set(unit, [a]);
  }
  const ticks: TickShape[] = [];
  for (const [unit, list] of bins) {
    const soon = list.filter((a) => a.flags.length > 0).length;
    const only = list.length === 1 ? list[0] : undefined;
    const title = only ? `${formatClock(only.t)} ${attemptWords(only)}` : `${formatClock(list[0]!.t)}–${formatClock(list.at(-1)!.t)}: ${list.length} reconnect attempts${soon > 0 ? `, ${soon} too soon` : ''}`;
    ticks.push({ x: unit + 0.5, tooSoon: soon > 0, title });
  }
  return ticks;
}

export interface StripShape {
  x: number;
  width: number;
  status: HeartbeatStatus;
  title: string;
}

const worseBeat: Record<HeartbeatStatus, number> = { on_time: 0, unknown: 1, late: 2, missed: 3 };

/** Heartbeat runs the same way: a run narrower than a unit merges with its neighbours, worst status shown. */
export function stripShapes(runs: readonly StripRun[], from: number, end: number, width: number): StripShape[] {
  const scale = width / Math.max(1, end - from);
  const x = (t: number): number => (t - from) * scale;
  const shapes: StripShape[] = [];
  let dense: StripRun[] = [];
  const flush = (): void => {
    const first = dense[0];
    const last = dense.at(-1);
    if (!first || !last) return;
    const status = dense.reduce<HeartbeatStatus>((w, r) => (worseBeat[r.status] > worseBeat[w] ? r.status : w), 'on_time');
    const counts = new Map<HeartbeatStatus, number>();
    for (const r of dense) counts.set(r.status, (counts.get(r.status) ?? 0) + r.cells);
    const words = [...counts].map(([st, n]) => `${n} ${heartbeatWords[st]}`).join(', ');
    const title = dense.length === 1 ? runTitle(first) : `${formatClock(first.start)}–${formatClock(last.end)}: ${words}`;
    shapes.push({ x: x(first.start), width: x(last.end) - x(first.start), status, title });
    dense = [];
  };
  for (const r of runs) {
    if (x(r.end) - x(r.start) >= ownShape) {
      flush();
      shapes.push({ x: x(r.start), width: x(r.end) - x(r.start), status: r.status, title: runTitle(r) });
      continue;
    }
    dense.push(r);
    if (x(r.end) - x(dense[0]!.start) >= 1) flush();
  }
  flush();
  return shapes;
}
