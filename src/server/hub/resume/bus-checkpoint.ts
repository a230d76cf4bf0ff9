/**
 * How far a hub reading a replayable bus (Redis Streams) has durably got, so that a hub started
 * after it — after a kill -9 as much as after a SIGTERM — replays exactly what is missing from the
 * store and writes nothing twice (a minute's counters written twice would double).
 *
 * What a frame leaves in the store, and when it is durable:
 * - its lifecycle events, written in frame order by the write queue: durable once the batch
 *   holding the frame's last event committed → `eventsThrough`, the last such frame;
 * - its contributions to restaurant-minutes, written only when a minute settles — every minute
 *   before a boundary at once → `minutesBefore`: every minute before it is in the store, and no
 *   minute from it on holds anything (the hub writes a minute once, when it settles).
 *
 * A frame all of whose data is durable needs no replay. `replayAfter` is the last frame of the
 * longest such prefix of the stream: replay starts after it, re-applies every later frame to the
 * fleet state, writes the lifecycle events of those after `eventsThrough`, and drops contributions
 * to minutes before `minutesBefore` (they are in the store). A frame at or before `replayAfter`
 * touched no minute from `minutesBefore` on (its latest time is earlier), so nothing is missed.
 * The replay also takes the frames of the 30 s before that minute (their writes are dropped as
 * late): their heartbeats are each connection's last sign of life, which its health is measured
 * from — without them every terminal would start the replay silent, and unhealthy.
 *
 * The tracker is told every frame applied (with its position), every batch of settled minutes,
 * and every store write as it commits; `after(batch)` is the checkpoint that holds once `batch`
 * commits, which the hub writes *in the same transaction* (store.ts `Checkpoint`): it can never
 * claim more than the store holds, nor less. Pure: no I/O, no clock.
 */
import { defaultHealthThresholds } from '../../../core/health.ts';
import type { TelemetryFrame } from '../../../protocol/telemetry.ts';
import { compareStreamIds } from '../../bus/redis-stream-id.ts';

/** How far before the first unwritten minute a replay starts: a silence this long is unhealthy anyway. */
export const REPLAY_LOOKBACK_MS = defaultHealthThresholds.unhealthyAfterMs;

export interface BusCheckpoint {
  v: 1;
  replayAfter: string;
  eventsThrough: string;
  minutesBefore: number;
  /**
   * Each gateway's run and last frame time (its clock) as of `eventsThrough`: the connections the
   * store says are open belong to that run, and die with it.
   */
  gateways: Record<string, { run: number; t: number }>;
  /**
   * A clean stop wrote the minute it stopped in as it stood (so a trimmed stream cannot lose it):
   * every contribution of the frames through `through`, and the hub's own (terminal-time, due
   * heartbeats) up to `at`, is in the store. A replay applies those frames for their beats only,
   * the stored events before `at` without counting them, and starts its clock at `at`. Dropped once
   * `minutesBefore` is past `at` (a later run wrote the rest of that minute).
   */
  sealed?: { at: number; through: string };
}

/** The checkpoint's name for a stream: a hub pointed at another stream starts afresh. */
export const checkpointName = (stream: string): string => `bus:${stream}`;

export function encodeCheckpoint(c: BusCheckpoint): string {
  return JSON.stringify(c);
}

/** The checkpoint stored, or null when there is none or it is not one this code wrote. */
export function decodeCheckpoint(text: string | undefined): BusCheckpoint | null {
  if (text === undefined) return null;
  try {
    const c = JSON.parse(text) as Partial<BusCheckpoint>;
    if (c.v !== 1 || typeof c.replayAfter !== 'string' || typeof c.eventsThrough !== 'string' || typeof c.minutesBefore !== 'number') return null;
    compareStreamIds(c.replayAfter, c.eventsThrough); // throws on anything but stream ids
    const out: BusCheckpoint = { v: 1, replayAfter: c.replayAfter, eventsThrough: c.eventsThrough, minutesBefore: c.minutesBefore, gateways: c.gateways ?? {} };
    const s = c.sealed;
    if (s !== undefined) {
      if (typeof s.at !== 'number' || typeof s.through !== 'string') return null;
      compareStreamIds(s.through, c.eventsThrough);
      out.sealed = { at: s.at, through: s.through };
    }
    return out;
  } catch {
    return null;
  }
}

/** The latest time a frame writes to (a second, a beat, an event): the last minute it touches. */
export function latestTimeOf(frame: TelemetryFrame): number {
  let t = -Infinity;
  for (const s of frame.seconds) {
    t = Math.max(t, s.s + 999);
    for (const b of s.beats) t = Math.max(t, b.t);
  }
  for (const e of frame.lifecycle) t = Math.max(t, e.t);
  return t;
}

type Entry = {
  pos: string;
  /** Set for frames the state applied (not duplicates): the gateway's run as of this frame. */
  gw?: { id: string; run: number; t: number };
  latest: number;
  /** Events handed to the write queue up to and including this frame's. */
  eventsCum: number;
};

export type Batch = { minutes: number; events: number };

export class CheckpointTracker {
  /** Frames applied whose data is not all durable yet (plus the prefix `committed` pops), oldest first. */
  private frames: Entry[] = [];
  private eventsQueued = 0;
  private minutesQueued = 0;
  private durable: Batch = { minutes: 0, events: 0 };
  /** Settle boundaries with the number of minutes queued when each was reached, oldest first. */
  private settles: { cum: number; before: number; sealed?: BusCheckpoint['sealed'] }[] = [];
  private base: { replayAfter?: string; eventsThrough?: string; minutesBefore: number; gateways: Record<string, { run: number; t: number }>; sealed?: BusCheckpoint['sealed'] };
  /** The position of the last frame applied: what a clean stop's seal covers. */
  private lastPos: string | undefined;

  constructor(from: BusCheckpoint | null) {
    // 0, not -Infinity: the value goes through JSON (every real minute is after 1970 anyway).
    this.base = from ? { ...from, gateways: { ...from.gateways } } : { minutesBefore: 0, gateways: {} };
  }

  /**
   * A hub with no checkpoint starts reading where the stream ends (`$`, pinned to `position`):
   * nothing before it is this hub's to replay.
   */
  startAt(position: string): void {
    this.base.replayAfter ??= position;
    this.base.eventsThrough ??= position;
  }

  /** A frame was applied; `events` of its lifecycle events went to the write queue. */
  frame(pos: string, frame: TelemetryFrame, applied: boolean, events: number): void {
    this.eventsQueued += events;
    this.lastPos = pos;
    const entry: Entry = { pos, latest: applied ? latestTimeOf(frame) : -Infinity, eventsCum: this.eventsQueued };
    if (applied) entry.gw = { id: frame.gw, run: frame.run, t: frame.t };
    this.frames.push(entry);
  }

  /** `rows` settled minutes went to the write queue; with them every minute before `before` is settled. */
  settled(rows: number, before: number): void {
    this.minutesQueued += rows;
    this.settles.push({ cum: this.minutesQueued, before });
  }

  /**
   * A clean stop at `at` handed `rows` to the write queue: every minute settled or open, as it stood
   * (see `BusCheckpoint.sealed`). False, and nothing recorded, when there is no frame to seal after.
   */
  sealed(rows: number, at: number): boolean {
    const through = this.lastPos ?? this.base.replayAfter;
    if (through === undefined) return false;
    this.minutesQueued += rows;
    this.settles.push({ cum: this.minutesQueued, before: Math.floor(at / 60_000) * 60_000, sealed: { at, through } });
    return true;
  }

  /** The checkpoint that holds once `batch` more is durable; undefined while nothing is. */
  after(batch: Batch = { minutes: 0, events: 0 }): BusCheckpoint | undefined {
    return this.compute({ minutes: this.durable.minutes + batch.minutes, events: this.durable.events + batch.events }).checkpoint;
  }

  /** `batch` committed (with `after(batch)` beside it): forget what no replay needs any more. */
  committed(batch: Batch): void {
    this.durable = { minutes: this.durable.minutes + batch.minutes, events: this.durable.events + batch.events };
    const { checkpoint, popped, minutesBefore } = this.compute(this.durable);
    for (const e of this.frames.slice(0, popped)) if (e.gw) this.base.gateways[e.gw.id] = { run: e.gw.run, t: e.gw.t };
    this.frames = this.frames.slice(popped);
    if (checkpoint) this.base = { ...checkpoint, gateways: this.base.gateways };
    else this.base.minutesBefore = minutesBefore;
    while (this.settles.length > 0 && (this.settles[0] as { cum: number }).cum <= this.durable.minutes) this.settles.shift();
  }

  /** Frames held for a possible replay (what a checkpoint costs in memory). */
  get pending(): number {
    return this.frames.length;
  }

  private compute(durable: Batch): { checkpoint: BusCheckpoint | undefined; popped: number; minutesBefore: number } {
    let minutesBefore = this.base.minutesBefore;
    let sealed = this.base.sealed;
    for (const s of this.settles) {
      if (s.cum > durable.minutes) continue;
      minutesBefore = Math.max(minutesBefore, s.before);
      if (s.sealed) sealed = s.sealed;
    }
    if (sealed && minutesBefore > sealed.at) sealed = undefined;
    let eventsThrough = this.base.eventsThrough;
    let replayAfter = this.base.replayAfter;
    // As of `eventsThrough`: the popped frames' runs (in `base`), then those of the durable prefix.
    const gateways = { ...this.base.gateways };
    let popped = 0;
    let prefix = true;
    // Queued event counts only grow, so the frames with durable events are a prefix of `frames`.
    for (const e of this.frames) {
      if (e.eventsCum > durable.events) break;
      if (eventsThrough === undefined || compareStreamIds(e.pos, eventsThrough) > 0) eventsThrough = e.pos;
      if (e.gw) gateways[e.gw.id] = { run: e.gw.run, t: e.gw.t };
      if (prefix && e.latest < minutesBefore - REPLAY_LOOKBACK_MS) {
        replayAfter = e.pos;
        popped++;
      } else prefix = false;
    }
    if (replayAfter === undefined || eventsThrough === undefined) return { checkpoint: undefined, popped: 0, minutesBefore };
    const checkpoint: BusCheckpoint = { v: 1, replayAfter, eventsThrough, minutesBefore, gateways };
    if (sealed) checkpoint.sealed = sealed;
    return { checkpoint, popped, minutesBefore };
  }
}
