/**
 * The hub's ingest: bus → fleet state → (write queue, live feed), and the clock that settles
 * minutes. Over a replayable bus (Redis Streams) it also keeps the bus checkpoint in the store with
 * every batch it writes (bus-checkpoint.ts), and a hub started with one replays what the last run
 * did not store:
 *
 * - the state is rebuilt first (hub-resume.ts), then the bus replays from `replayAfter`;
 * - while replaying, the state's clock is the frames' own time, ticked once a second of it: the
 *   minutes of the outage settle in order and terminal-time is credited as a hub that never
 *   stopped would have (the wall clock would settle them all before their frames came in);
 * - replayed frames up to `eventsThrough` skip their lifecycle events (stored, and already applied
 *   from the store); later ones are stored and shown in the live feed — what happened while the
 *   hub was away, once each;
 * - caught up (every entry the stream held at start handed over), the wall clock takes over.
 *
 * Closing over a replayable bus writes what has settled and leaves the open minutes to the next
 * run's replay (written now, they would be written again); the in-memory bus has nothing to
 * replay, so there the open minutes are written as they stand, as before.
 */
import type { Clock } from '../../core/clock.ts';
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import { compareStreamIds } from '../bus/redis-stream-id.ts';
import type { Logger } from '../log/logger.ts';
import type { Checkpoint, LifecycleEvent, Store } from '../store/store.ts';
import { createWriteQueue, type WriteQueue } from '../store/write-queue.ts';
import { checkpointName, CheckpointTracker, encodeCheckpoint, type Batch } from './bus-checkpoint.ts';
import type { HubFleet } from './hub-fleet.ts';
import type { ResumePlan } from './hub-resume.ts';
import { UnwrittenMinutes } from './unwritten-minutes.ts';

/** What the hub needs of a bus: frames from every gateway, in order per gateway, at least once. */
export interface FrameSource {
  subscribe(handler: (frame: TelemetryFrame, position?: string) => void): () => void;
}

/** A bus that can replay from a position (the Redis bus): the hub checkpoints and resumes it. */
export interface ReplayableFrameSource extends FrameSource {
  readonly stream: string;
  resumeAfter(position: string): void;
  ready(): Promise<void>;
  caughtUp(): Promise<void>;
  lastId(): string | null;
}

export function isReplayable(bus: FrameSource): bus is ReplayableFrameSource {
  const b = bus as Partial<ReplayableFrameSource>;
  return typeof b.resumeAfter === 'function' && typeof b.caughtUp === 'function' && typeof b.stream === 'string';
}

export interface IngestOptions {
  bus: FrameSource;
  store: Store;
  fleet: HubFleet;
  clock: Clock;
  logger: Logger;
  flushIntervalMs: number;
  /** The store's plan for a replayable bus with a checkpoint (already seeded into `fleet`). */
  plan: ResumePlan | null;
  /**
   * Frames from elsewhere than the bus — the open ingest's (ingest/ingest-service.ts) — applied the
   * same way. They have no bus position: a hub restart does not replay them; their probes resend
   * what the hub had not acknowledged, and re-announce their open connections.
   */
  extraSources?: readonly FrameSource[];
}

export interface Ingest {
  readonly unwritten: UnwrittenMinutes;
  readonly queue: WriteQueue;
  refusedWrites(): number;
  /** Lifecycle events for the live feed since the last call. */
  drainLive(): LifecycleEvent[];
  /** Resolves once a replay has caught up (at once without one). */
  readonly caughtUp: Promise<void>;
  /** Frames held in memory in case they must be replayed (0 without a replayable bus). */
  pendingReplay(): number;
  /** Stops reading, writes what settled (and, in memory, the open minutes), flushes, checkpoints. */
  close(): Promise<void>;
}

export async function startIngest(o: IngestOptions): Promise<Ingest> {
  const { clock, logger, fleet } = o;
  const replayable = isReplayable(o.bus) ? o.bus : null;
  const name = replayable ? checkpointName(replayable.stream) : '';
  const tracker = replayable ? new CheckpointTracker(o.plan?.checkpoint ?? null) : null;
  const stored = o.plan?.checkpoint.eventsThrough;

  // ---- writing: the queue, with the checkpoint in the same transaction as each batch --------
  const unwritten = new UnwrittenMinutes(o.store);
  let inFlight = 0;
  const withCheckpoint = async (batch: Batch, write: (c: Checkpoint | undefined) => Promise<void>): Promise<void> => {
    const after = tracker?.after(batch);
    inFlight++;
    try {
      await write(after && { name, value: encodeCheckpoint(after) });
    } finally {
      inFlight--;
    }
    tracker?.committed(batch);
  };
  const queue = createWriteQueue({
    store: {
      writeMinutes: (rows) => withCheckpoint({ minutes: rows.length, events: 0 }, (c) => unwritten.storeForQueue.writeMinutes(rows, c)),
      writeEvents: (events) => withCheckpoint({ minutes: 0, events: events.length }, (c) => unwritten.storeForQueue.writeEvents(events, c)),
    },
    clock,
    flushIntervalMs: o.flushIntervalMs,
    logger,
  });
  let refusedWrites = 0;
  /** Hands rows to the queue; returns how many it took (all or none). */
  function writeMinutes(rows: RestaurantMinute[]): number {
    if (rows.length === 0) return 0;
    try {
      queue.enqueueMinutes(rows);
      unwritten.track(rows);
      return rows.length;
    } catch (error) {
      refusedWrites += rows.length;
      logger.error({ err: String(error), rows: rows.length }, 'hub: rollups refused by the write queue');
      return 0;
    }
  }
  function writeEvents(events: readonly LifecycleEvent[]): number {
    if (events.length === 0) return 0;
    try {
      queue.enqueueEvents(events);
      return events.length;
    } catch (error) {
      refusedWrites += events.length;
      logger.error({ err: String(error), events: events.length }, 'hub: lifecycle events refused by the write queue');
      return 0;
    }
  }
  function settle(now: number): void {
    const taken = writeMinutes(fleet.settle(now));
    tracker?.settled(taken, fleet.state.settledBefore());
  }

  // ---- reading --------------------------------------------------------------------------------
  let live: LifecycleEvent[] = [];
  let closing = false;
  let replaying = o.plan !== null;
  let replayNow = -Infinity;
  if (replayable && o.plan) {
    // The state's clock starts where the minutes still to write start, so they are credited whole.
    replayNow = o.plan.checkpoint.minutesBefore;
    settle(replayNow);
    replayable.resumeAfter(o.plan.checkpoint.replayAfter);
  }
  const onFrame = (frame: TelemetryFrame, position?: string): void => {
    if (closing) return;
    try {
      if (replaying && frame.t >= replayNow + 1000) {
        replayNow = frame.t;
        settle(replayNow);
      }
      const known = stored !== undefined && position !== undefined && compareStreamIds(position, stored) <= 0;
      // Stored events come from the store (hub-resume.ts): up to this frame's time, or all once
      // the replay is past the frames they came with.
      if (o.plan) fleet.applyStored(known ? frame.t : undefined);
      const { result, lifecycle } = fleet.apply(frame, { lifecycle: !known });
      const taken = writeEvents(lifecycle);
      if (tracker && position !== undefined) tracker.frame(position, frame, result !== 'duplicate', taken);
      for (const e of lifecycle) live.push(e);
    } catch (error) {
      logger.error({ err: String(error), gw: frame.gw, seq: frame.seq }, 'hub: frame could not be applied');
    }
  };
  const unsubscribes = [o.bus.subscribe(onFrame), ...(o.extraSources ?? []).map((source) => source.subscribe((frame) => onFrame(frame)))];
  const unsubscribe = () => unsubscribes.forEach((u) => u());

  // Without a checkpoint the reader starts where the stream ends; its pinned position is where a
  // replay of this run would begin. (Pinned before the first read, so before any frame arrives.)
  if (replayable && !o.plan) {
    void replayable.ready().then(() => {
      const at = replayable.lastId();
      if (at !== null) tracker?.startAt(at);
    });
  }
  const startedAt = clock.now();
  const caughtUp = (replayable && o.plan ? replayable.caughtUp() : Promise.resolve()).then(() => {
    if (!replaying) return;
    replaying = false;
    fleet.applyStored();
    logger.info({ after: o.plan?.checkpoint.replayAfter, upTo: replayable?.lastId(), ms: clock.now() - startedAt }, 'hub: replay caught up with the bus; live from here');
  });

  // Minutes settle with time, not only with frames (an idle fleet still closes its minutes). The
  // state advances once a second, half a second away from the stream's ticks, so its work never
  // delays a tick that is about to show what the probes just flushed.
  let lastCheckpoint: string | undefined;
  const untilHalfSecond = () => 1000 - ((clock.now() + 500) % 1000);
  let settleTimer = clock.setTimeout(function tick() {
    if (!replaying) settle(clock.now());
    void checkpointIdle();
    settleTimer = clock.setTimeout(tick, untilHalfSecond());
  }, untilHalfSecond());

  /**
   * With nothing queued or being written, the checkpoint can move on its own (frames that left
   * nothing to write — an idle fleet — are positions too). Never while a batch is in flight: a
   * standalone write landing after that batch's would take the checkpoint back.
   */
  function checkpointIdle(): Promise<void> {
    if (!tracker || inFlight > 0 || queue.stats().queued > 0) return Promise.resolve();
    const c = tracker.after();
    const value = c && encodeCheckpoint(c);
    if (value === undefined || value === lastCheckpoint) return Promise.resolve();
    lastCheckpoint = value;
    return o.store.writeCheckpoint({ name, value }).catch((error: unknown) => logger.error({ err: String(error) }, 'hub: could not write the bus checkpoint'));
  }

  return {
    unwritten,
    queue,
    refusedWrites: () => refusedWrites,
    drainLive() {
      const out = live;
      live = [];
      return out;
    },
    caughtUp,
    pendingReplay: () => tracker?.pending ?? 0,
    async close() {
      closing = true;
      unsubscribe();
      clock.clearTimeout(settleTimer);
      if (!tracker) writeMinutes(fleet.sealAll(clock.now()));
      else if (!replaying) settle(clock.now());
      await queue.close();
      await checkpointIdle();
    },
  };
}
