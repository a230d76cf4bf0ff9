/**
 * The ingest's side of resuming over a replayable bus (Redis Streams): the checkpoint kept with
 * every batch the write queue commits (bus-checkpoint.ts), and the replay of what the last run did
 * not store:
 *
 * - the state was rebuilt first (hub-resume.ts); the stored events of the minutes still to write
 *   are held here and applied in time order as the replay passes them;
 * - the bus replays from `replayAfter`. While replaying, the state's clock is the frames' own time,
 *   ticked once a second of it: the minutes of the outage settle in order and terminal-time is
 *   credited as a hub that never stopped would have (the wall clock would settle them all before
 *   their frames came in);
 * - replayed frames up to `eventsThrough` skip their lifecycle events (stored, and already applied
 *   from the store); later ones are stored and shown in the live feed — what happened while the
 *   hub was away, once each;
 * - caught up (every entry the stream held at start handed over), the wall clock takes over;
 * - a clean stop writes the minute it stops in as it stands, so a stream trimmed while the hub is
 *   away cannot take it (issue 18, item 7), and says so in the checkpoint (`sealed`): the next
 *   run applies the frames through the seal for their beats only, the stored events before it
 *   without counting them, and starts its clock at the seal — nothing written twice.
 *
 * Over a bus that cannot replay, every call here is a no-op (`noReplay`).
 */
import type { Clock } from '../../../core/clock.ts';
import type { LifecycleEvent, TelemetryFrame } from '../../../protocol/telemetry.ts';
import { compareStreamIds } from '../../bus/redis-stream-id.ts';
import type { Logger } from '../../log/logger.ts';
import type { Checkpoint, Store } from '../../store/store.ts';
import type { HubFleet } from '../hub-fleet.ts';
import { checkpointName, CheckpointTracker, encodeCheckpoint, type Batch } from './bus-checkpoint.ts';
import type { ResumePlan } from './resume-plan.ts';
import type { ReplayableFrameSource } from '../frame-source.ts';

export interface BusReplay {
  /**
   * Positions the bus and the state's clock; call once, before the bus is subscribed to.
   * `settle(now)` advances the state and writes what settled.
   */
  start(settle: (now: number) => void): void;
  /** True until the replay caught up: the ingest's clock must not settle minutes meanwhile. */
  readonly replaying: boolean;
  /**
   * Before a frame is applied: whether its lifecycle events are still to apply (false: stored
   * already), and whether all it brings is stored already (`quiet`: a clean stop's seal covers it).
   */
  before(frame: TelemetryFrame, position?: string): { lifecycle: boolean; quiet: boolean };
  /** After: `events` of its lifecycle events went to the write queue. */
  after(frame: TelemetryFrame, position: string | undefined, applied: boolean, events: number): void;
  /** Writes `batch` with the checkpoint that holds once it commits, in the same transaction. */
  write(batch: Batch, write: (checkpoint: Checkpoint | undefined) => Promise<void>): Promise<void>;
  /** `rows` settled minutes went to the write queue; with them every minute before `before` is settled. */
  settled(rows: number, before: number): void;
  /** A clean stop at `at` handed every minute, open ones too, to the queue (`rows`); false: it could not claim so. */
  sealed(rows: number, at: number): boolean;
  /** With nothing queued (`queued` 0), moves the checkpoint on its own. */
  idle(queued: number): Promise<void>;
  /** Resolves once a replay has caught up (at once without one); first called after the bus is subscribed to. */
  caughtUp(): Promise<void>;
  /** Frames held in memory in case they must be replayed (0 without a replayable bus). */
  pending(): number;
  /** True over a replayable bus: a stop leaves the open minutes to the next run's replay. */
  readonly keepsCheckpoint: boolean;
}

export const noReplay: BusReplay = {
  start() {},
  replaying: false,
  before: () => ({ lifecycle: true, quiet: false }),
  after() {},
  write: (_batch, write) => write(undefined),
  settled() {},
  sealed: () => false,
  idle: () => Promise.resolve(),
  caughtUp: () => Promise.resolve(),
  pending: () => 0,
  keepsCheckpoint: false,
};

export interface BusReplayOptions {
  bus: ReplayableFrameSource;
  store: Pick<Store, 'writeCheckpoint'>;
  fleet: HubFleet;
  clock: Clock;
  logger: Logger;
  /** The store's plan, already seeded into `fleet` (null: no checkpoint, a fresh start on this stream). */
  plan: ResumePlan | null;
}

export function createBusReplay(o: BusReplayOptions): BusReplay {
  const { bus, plan, fleet, clock, logger } = o;
  const name = checkpointName(bus.stream);
  const tracker = new CheckpointTracker(plan?.checkpoint ?? null);
  const stored = plan?.checkpoint.eventsThrough;
  const seal = plan?.checkpoint.sealed;
  let held: readonly LifecycleEvent[] = plan?.recent ?? [];
  let replaying = plan !== null;
  let replayNow = -Infinity;
  let settle: (now: number) => void = () => {};
  let inFlight = 0;
  let lastCheckpoint: string | undefined;
  let caughtUp: Promise<void> | undefined;

  /** Applies the held stored events up to time `upTo` (all: Infinity), in order. */
  function applyStored(upTo = Infinity): void {
    let n = 0;
    while (n < held.length && (held[n] as LifecycleEvent).t <= upTo) n++;
    if (n === 0) return;
    fleet.applyStoredEvents(held.slice(0, n));
    held = held.slice(n);
  }
  // The events of minutes already written go in at once: they only rebuild connections and reconnects.
  if (plan) applyStored(plan.checkpoint.minutesBefore - 1);
  if (seal) {
    // And those a clean stop wrote the minute of: counted already, so applied without counting.
    let n = 0;
    while (n < held.length && (held[n] as LifecycleEvent).t < seal.at) n++;
    fleet.applyStoredEvents(held.slice(0, n), { quiet: true });
    held = held.slice(n);
  }

  const replay: BusReplay = {
    start(settleWith) {
      settle = settleWith;
      if (plan) {
        // The state's clock starts where the minutes still to write start, so they are credited whole
        // (after a seal, where its terminal-time stopped).
        replayNow = Math.max(plan.checkpoint.minutesBefore, seal?.at ?? -Infinity);
        settle(replayNow);
        bus.resumeAfter(plan.checkpoint.replayAfter);
      } else {
        // Without a checkpoint the reader starts where the stream ends; its pinned position is where
        // a replay of this run would begin. (Pinned before the first read, so before any frame.)
        void bus.ready().then(() => {
          const at = bus.lastId();
          if (at !== null) tracker.startAt(at);
        });
      }
    },
    get replaying() {
      return replaying;
    },
    before(frame, position) {
      if (replaying && frame.t >= replayNow + 1000) {
        replayNow = frame.t;
        settle(replayNow);
      }
      const known = stored !== undefined && position !== undefined && compareStreamIds(position, stored) <= 0;
      // Stored events up to this frame's time, or all once the replay is past the frames they came with.
      if (plan) applyStored(known ? frame.t : undefined);
      const quiet = seal !== undefined && position !== undefined && compareStreamIds(position, seal.through) <= 0;
      return { lifecycle: !known, quiet };
    },
    after(frame, position, applied, events) {
      if (position !== undefined) tracker.frame(position, frame, applied, events);
    },
    async write(batch, write) {
      const after = tracker.after(batch);
      inFlight++;
      try {
        await write(after && { name, value: encodeCheckpoint(after) });
      } finally {
        inFlight--;
      }
      tracker.committed(batch);
    },
    settled: (rows, before) => tracker.settled(rows, before),
    sealed: (rows, at) => tracker.sealed(rows, at),
    /**
     * Frames that left nothing to write (an idle fleet) are positions too. Never while a batch is in
     * flight: a standalone write landing after that batch's would take the checkpoint back.
     */
    idle(queued) {
      if (inFlight > 0 || queued > 0) return Promise.resolve();
      const c = tracker.after();
      const value = c && encodeCheckpoint(c);
      if (value === undefined || value === lastCheckpoint) return Promise.resolve();
      lastCheckpoint = value;
      return o.store.writeCheckpoint({ name, value }).catch((error: unknown) => logger.error({ err: String(error) }, 'hub: could not write the bus checkpoint'));
    },
    caughtUp() {
      const startedAt = clock.now();
      caughtUp ??= (plan ? bus.caughtUp() : Promise.resolve()).then(() => {
        if (!replaying) return;
        replaying = false;
        applyStored();
        logger.info({ after: plan?.checkpoint.replayAfter, upTo: bus.lastId(), ms: clock.now() - startedAt }, 'hub: replay caught up with the bus; live from here');
      });
      return caughtUp;
    },
    pending: () => tracker.pending,
    keepsCheckpoint: true,
  };
  return replay;
}
