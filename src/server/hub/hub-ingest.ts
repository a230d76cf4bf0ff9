/**
 * The hub's ingest: bus → fleet state → (write queue, live feed), and the clock that settles
 * minutes. Over a replayable bus (Redis Streams) every batch it writes carries the bus checkpoint,
 * and a hub started with one first replays what the last run did not store — both are
 * resume/bus-replay.ts, which this file calls at each step (a no-op over the in-memory bus).
 *
 * Closing writes the open minutes as they stand: in memory the next run's part of a minute merges
 * in the store; over a replayable bus the checkpoint marks them sealed, so the next run's replay
 * adds only what came after (resume/bus-replay.ts).
 */
import type { Clock } from '../../core/clock.ts';
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import type { Logger } from '../log/logger.ts';
import type { LifecycleEvent, Store } from '../store/store.ts';
import { createWriteQueue, type WriteQueue } from '../store/write-queue.ts';
import type { FrameSource } from './frame-source.ts';
import type { HubFleet } from './hub-fleet.ts';
import type { BusReplay } from './resume/bus-replay.ts';
import { UnwrittenMinutes } from './unwritten-minutes.ts';

export type { FrameSource, ReplayableFrameSource } from './frame-source.ts';

export interface IngestOptions {
  bus: FrameSource;
  store: Store;
  fleet: HubFleet;
  clock: Clock;
  logger: Logger;
  flushIntervalMs: number;
  /** The checkpoint and the replay of a resumed bus (resume/hub-resume.ts; `noReplay` without). */
  replay: BusReplay;
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
  /** Frames held in memory in case they must be replayed (0 without a replayable bus). */
  pendingReplay(): number;
  /** Stops reading, writes what settled (and, in memory, the open minutes), flushes, checkpoints. */
  close(): Promise<void>;
}

export async function startIngest(o: IngestOptions): Promise<Ingest> {
  const { clock, logger, fleet, replay } = o;

  // ---- writing: the queue, with the checkpoint in the same transaction as each batch --------
  const unwritten = new UnwrittenMinutes(o.store);
  const queue = createWriteQueue({
    store: {
      writeMinutes: (rows) => replay.write({ minutes: rows.length, events: 0 }, (c) => unwritten.storeForQueue.writeMinutes(rows, c)),
      writeEvents: (events) => replay.write({ minutes: 0, events: events.length }, (c) => unwritten.storeForQueue.writeEvents(events, c)),
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
  // ---- reading --------------------------------------------------------------------------------
  let live: LifecycleEvent[] = [];
  function settle(now: number): void {
    const taken = writeMinutes(fleet.settle(now));
    replay.settled(taken, fleet.state.settledBefore());
    // A lost gateway's closes take the path a frame's lifecycle events take: store and live feed.
    const lost = fleet.drainLifecycle();
    writeEvents(lost);
    for (const e of lost) live.push(e);
  }
  let closing = false;
  replay.start(settle);
  const onFrame = (frame: TelemetryFrame, position?: string): void => {
    if (closing) return;
    try {
      const { result, lifecycle } = fleet.apply(frame, replay.before(frame, position));
      const taken = writeEvents(lifecycle);
      replay.after(frame, position, result !== 'duplicate', taken);
      for (const e of lifecycle) live.push(e);
    } catch (error) {
      logger.error({ err: String(error), gw: frame.gw, seq: frame.seq }, 'hub: frame could not be applied');
    }
  };
  const unsubscribes = [o.bus.subscribe(onFrame), ...(o.extraSources ?? []).map((source) => source.subscribe((frame) => onFrame(frame)))];
  const unsubscribe = () => unsubscribes.forEach((u) => u());
  void replay.caughtUp();

  // Minutes settle with time, not only with frames (an idle fleet still closes its minutes). The
  // state advances once a second, half a second away from the stream's ticks, so its work never
  // delays a tick that is about to show what the probes just flushed.
  const untilHalfSecond = () => 1000 - ((clock.now() + 500) % 1000);
  let settleTimer = clock.setTimeout(function tick() {
    if (!replay.replaying) settle(clock.now());
    void replay.idle(queue.stats().queued);
    settleTimer = clock.setTimeout(tick, untilHalfSecond());
  }, untilHalfSecond());

  return {
    unwritten,
    queue,
    refusedWrites: () => refusedWrites,
    drainLive() {
      const out = live;
      live = [];
      return out;
    },
    pendingReplay: () => replay.pending(),
    async close() {
      closing = true;
      unsubscribe();
      clock.clearTimeout(settleTimer);
      if (!replay.keepsCheckpoint) writeMinutes(fleet.sealAll(clock.now()));
      else if (!replay.replaying) {
        // The open minutes too, as they stand, with the checkpoint saying so (resume/bus-replay.ts).
        const now = clock.now();
        const rows = fleet.sealAll(now);
        const taken = writeMinutes(rows);
        if (taken === rows.length) replay.sealed(taken, now);
      }
      await queue.close();
      await replay.idle(queue.stats().queued);
    },
  };
}
