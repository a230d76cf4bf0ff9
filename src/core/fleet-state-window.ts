/**
 * One restaurant's numbers over time, as the live fleet state keeps them:
 *
 * - the rolling last minute: counters in one-second slots over the 60 whole seconds before the
 *   current one (the current second is still arriving: frames come a second after the fact), and
 *   histograms in six 10-second slots with a running sum (covering the last 50–60 s). Histograms are
 *   coarser because a histogram is a few KB: 60 of them × 3 kinds × 2,000 restaurants would be
 *   gigabytes, and merging 60 per figure per tick would cost more than the rest of the hub;
 * - open minutes (counters, gauges, live histograms) until they settle, then the last hour of
 *   settled `RestaurantMinute`s (histograms encoded, a few hundred bytes each) — which is what the
 *   store persists and what hour charts read;
 * - totals since the state started, for reconciliation.
 *
 * Times are the gateways' clocks (ms); a write is filed in the second/minute of its own time.
 * A write for a minute that has already settled cannot change the rollup the store has; it is
 * counted in `lateWrites` (and in totals) instead of being silently lost.
 */
import { Histogram } from './histogram.ts';
import type { Gauge, RestaurantMinute } from './rollup.ts';

export const histNames = ['rtt', 'latency', 'duration'] as const;
export type HistName = (typeof histNames)[number];
export type HistSet = Readonly<Record<HistName, Histogram>>;

export const WINDOW_MS = 60_000;
const SECOND_MS = 1_000;
// 60 seconds of window, the current one, and one of slack for a gateway clock slightly ahead.
const SECOND_SLOTS = 62;
const HIST_SLOT_MS = 10_000;
const HIST_SLOTS = 6;
const MINUTE_MS = 60_000;
const SETTLED_KEPT = 60;

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
const slotOf = (start: number, unit: number, slots: number) => Math.floor(start / unit) % slots;

class SecondSlot {
  s = -Infinity;
  counters: Record<string, number> = {};
  /** Extremes of the connections gauge within this second. */
  gMin = Infinity;
  gMax = -Infinity;
}

class HistSlot {
  start = -Infinity;
  h: Partial<Record<HistName, Histogram>> = {};
}

class OpenMinute {
  readonly minute: number;
  readonly counters: Record<string, number> = {};
  readonly gauges: Record<string, Gauge> = {};
  readonly hist: Partial<Record<HistName, Histogram>> = {};
  constructor(minute: number) {
    this.minute = minute;
  }
}

export interface WindowView {
  /** Counters summed over the 60 whole seconds before the current one: [now − 60 s, now), to the second. */
  counters: Record<string, number>;
  /** Counters of the last whole second alone (the one before now's): "what just happened". */
  lastSecond: Record<string, number>;
  /** Extremes of the connections gauge over those seconds; null when none recorded it. */
  connections: { min: number; max: number } | null;
  /** Histograms over the 10-s slots of the last minute: live objects, read them, never write. */
  hist: HistSet;
}

export class RestaurantWindows {
  readonly rid: string;
  /** Cumulative since the state started (counters and credited terminal-time). */
  readonly totals: Record<string, number> = {};
  /** Settled minutes of the last hour, oldest first. */
  readonly settled: RestaurantMinute[] = [];
  lateWrites = 0;

  private readonly seconds = Array.from({ length: SECOND_SLOTS }, () => new SecondSlot());
  private readonly histSlots = Array.from({ length: HIST_SLOTS }, () => new HistSlot());
  private readonly windowHist: Record<HistName, Histogram> = { rtt: new Histogram(), latency: new Histogram(), duration: new Histogram() };
  private histHead = -Infinity;
  private readonly open = new Map<number, OpenMinute>();
  private settledUpTo = -Infinity;
  /** Current value of each gauge: a new second or minute starts from it. A restaurant starts with none connected. */
  private readonly current: Record<string, number> = { connections: 0 };

  constructor(rid: string) {
    this.rid = rid;
  }

  /**
   * Minutes before `minute` are closed for good (their rollups were written by an earlier run, or
   * the rest of the fleet settled them): writes to them are late from now on.
   */
  markSettled(minute: number): void {
    this.settledUpTo = Math.max(this.settledUpTo, minute);
  }

  /** Add `n` to counter `key` at time `t`. */
  count(t: number, key: string, n: number): void {
    if (n === 0) return;
    this.totals[key] = (this.totals[key] ?? 0) + n;
    this.addSecond(t, key, n);
    const m = this.minuteAt(t);
    if (m) m.counters[key] = (m.counters[key] ?? 0) + n;
  }

  /**
   * Make counter `key` present (0 if nothing was counted) in the minute of `t`: for a counter whose
   * absence means "written before this counter existed" (see `expectedBeatsOf` in figures.ts).
   */
  declare(t: number, key: string): void {
    const m = this.minuteAt(t);
    if (m) m.counters[key] ??= 0;
  }

  /**
   * Credit `perMs × duration` of [from, to) to `key` (terminal-time: `perMs` terminals for that
   * long), spread over the seconds and minutes the interval crosses.
   */
  credit(from: number, to: number, key: string, perMs: number): void {
    if (!(to > from) || perMs === 0) return;
    this.totals[key] = (this.totals[key] ?? 0) + perMs * (to - from);
    // Only the last minute of seconds and the last hour of minutes can still be written.
    for (let s = floorTo(Math.max(from, to - SECOND_SLOTS * SECOND_MS), SECOND_MS); s < to; s += SECOND_MS) {
      this.addSecond(s, key, perMs * (Math.min(to, s + SECOND_MS) - Math.max(from, s)));
    }
    for (let m = floorTo(Math.max(from, to - 61 * MINUTE_MS), MINUTE_MS); m < to; m += MINUTE_MS) {
      const open = this.minuteAt(m);
      if (open) open.counters[key] = (open.counters[key] ?? 0) + perMs * (Math.min(to, m + MINUTE_MS) - Math.max(from, m));
    }
  }

  /** Gauge `key` took `value` at time `t`. The connections gauge is also kept per second. */
  gauge(t: number, key: string, value: number): void {
    this.current[key] = value;
    if (key === 'connections') {
      const slot = this.secondSlot(t);
      if (slot) {
        slot.gMin = Math.min(slot.gMin, value);
        slot.gMax = Math.max(slot.gMax, value);
      }
    }
    this.minuteAt(t);
    // The value holds from t on: every open minute from t's onwards sees it.
    for (const m of this.open.values()) {
      if (m.minute + MINUTE_MS <= t) continue;
      const g = m.gauges[key];
      if (g === undefined) m.gauges[key] = { last: value, min: value, max: value };
      else {
        g.last = value;
        if (value < g.min) g.min = value;
        if (value > g.max) g.max = value;
      }
    }
  }

  /**
   * Gauge `key` holds `value` from now on, recorded in no second or minute: its change is history
   * already in the store (a hub rebuilding state after a clean stop that wrote its open minute).
   */
  hold(key: string, value: number): void {
    this.current[key] = value;
  }

  /** Merge a histogram of samples taken at time `t` into its minute and the rolling window. */
  mergeHistogram(t: number, name: HistName, h: Histogram): void {
    if (h.count === 0) return;
    const m = this.minuteAt(t);
    if (m) (m.hist[name] ??= new Histogram()).merge(h);
    const start = floorTo(t, HIST_SLOT_MS);
    if (start > this.histHead) this.advanceHist(start);
    if (start <= this.histHead - WINDOW_MS) return; // older than the window
    const slot = this.histSlots[slotOf(start, HIST_SLOT_MS, HIST_SLOTS)] as HistSlot;
    slot.start = start;
    (slot.h[name] ??= new Histogram()).merge(h);
    this.windowHist[name].merge(h);
  }

  /** The rolling last minute as of `now`. */
  view(now: number): WindowView {
    const head = floorTo(now, HIST_SLOT_MS);
    if (head > this.histHead) this.advanceHist(head);
    const nowS = floorTo(now, SECOND_MS);
    const counters: Record<string, number> = {};
    let lastSecond: Record<string, number> = {};
    let min = Infinity;
    let max = -Infinity;
    for (const slot of this.seconds) {
      if (slot.s < nowS - WINDOW_MS || slot.s >= nowS) continue;
      if (slot.s === nowS - SECOND_MS) lastSecond = { ...slot.counters };
      for (const key in slot.counters) counters[key] = (counters[key] ?? 0) + (slot.counters[key] as number);
      if (slot.gMin < min) min = slot.gMin;
      if (slot.gMax > max) max = slot.gMax;
    }
    return { counters, lastSecond, connections: min <= max ? { min, max } : null, hist: this.windowHist };
  }

  /**
   * Settle every open minute that ended at or before `upTo`; returns their rollups, oldest first.
   * `settle(Infinity)` seals the unfinished ones too (shutdown): later writes to them are late.
   */
  settle(upTo: number): RestaurantMinute[] {
    const done: RestaurantMinute[] = [];
    for (const m of [...this.open.values()].sort((a, b) => a.minute - b.minute)) {
      if (m.minute + MINUTE_MS > upTo) continue;
      this.open.delete(m.minute);
      this.settledUpTo = Math.max(this.settledUpTo, m.minute + MINUTE_MS);
      const rollup = this.rollupOf(m);
      done.push(rollup);
      this.settled.push(rollup);
    }
    if (this.settled.length > SETTLED_KEPT) this.settled.splice(0, this.settled.length - SETTLED_KEPT);
    return done;
  }

  /** The minutes not yet settled, as they stand (oldest first): history views show them live. */
  openMinutes(): RestaurantMinute[] {
    return [...this.open.values()].sort((a, b) => a.minute - b.minute).map((m) => this.rollupOf(m));
  }

  /** Minutes not yet settled: a restaurant with some cannot be forgotten before they are. */
  get hasOpenMinutes(): boolean {
    return this.open.size > 0;
  }

  private rollupOf(m: OpenMinute): RestaurantMinute {
    const histograms: Record<string, string> = {};
    for (const name of histNames) {
      const h = m.hist[name];
      if (h && h.count > 0) histograms[name] = h.encode();
    }
    const gauges: Record<string, Gauge> = {};
    for (const key in m.gauges) gauges[key] = { ...(m.gauges[key] as Gauge) };
    return { rid: this.rid, minute: m.minute, counters: { ...m.counters }, gauges, histograms };
  }

  private addSecond(t: number, key: string, n: number): void {
    const slot = this.secondSlot(t);
    if (slot) slot.counters[key] = (slot.counters[key] ?? 0) + n;
  }

  /** The slot of t's second, recycled if it held an older second; null if t is older than the ring. */
  private secondSlot(t: number): SecondSlot | null {
    const s = floorTo(t, SECOND_MS);
    const slot = this.seconds[slotOf(s, SECOND_MS, SECOND_SLOTS)] as SecondSlot;
    if (slot.s === s) return slot;
    if (slot.s > s) return null;
    slot.s = s;
    slot.counters = {};
    const c = this.current.connections;
    slot.gMin = c ?? Infinity;
    slot.gMax = c ?? -Infinity;
    return slot;
  }

  /** The open minute containing t, opened if needed; null when that minute has already settled. */
  private minuteAt(t: number): OpenMinute | null {
    const minute = floorTo(t, MINUTE_MS);
    if (minute < this.settledUpTo) {
      this.lateWrites++;
      return null;
    }
    let m = this.open.get(minute);
    if (m === undefined) {
      m = new OpenMinute(minute);
      for (const key in this.current) {
        const v = this.current[key] as number;
        m.gauges[key] = { last: v, min: v, max: v };
      }
      this.open.set(minute, m);
    }
    return m;
  }

  /** Move the newest histogram slot to `head`, taking slots that left the window out of the sum. */
  private advanceHist(head: number): void {
    for (const slot of this.histSlots) {
      if (slot.start === -Infinity || slot.start > head - WINDOW_MS) continue;
      for (const name of histNames) {
        const h = slot.h[name];
        if (h) this.windowHist[name].subtract(h);
      }
      slot.start = -Infinity;
      slot.h = {};
    }
    this.histHead = head;
  }
}
