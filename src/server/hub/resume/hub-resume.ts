/**
 * Restart and resume, in one place: everything a hub does differently because a run came before
 * it. The composition root (hub.ts) calls `resumeHub` once, before it reads the bus, and hands the
 * result to the ingest:
 *
 *   const resume = await resumeHub({ bus, store, fleet, clock, logger, recovered, flushIntervalMs, since });
 *   startIngest({ …, replay: resume.replay });   // the checkpoint and the bus replay ride on its writes
 *   await resume.replayed(waitMs);                // the first snapshot shows the fleet, not half a replay
 *
 * What it does, in order:
 * 1. over a replayable bus, reads the store's plan for it (resume-plan.ts: the checkpoint of
 *    bus-checkpoint.ts, the stored events of the minutes still to write, the connections open);
 * 2. after an unclean shutdown, says what was lost — over a bus that cannot replay it also closes
 *    the connections the dead run left open (crash-recovery.ts); over Redis the replay recovers;
 * 3. seeds the fleet with the terminals the store saw in the last 7 days and their last closes, so
 *    "12 / 14 connected" is right from the first tick and a terminal back within 10 min of a close
 *    is a reconnect; resuming, also with the gateways, connections and events of the plan;
 * 4. the replay itself (bus-replay.ts) runs inside the ingest.
 */
import type { Clock } from '../../../core/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { Store, StoreRecovery } from '../../store/store.ts';
import { isReplayable, type FrameSource } from '../frame-source.ts';
import type { HubFleet } from '../hub-fleet.ts';
import { createBusReplay, noReplay, type BusReplay } from './bus-replay.ts';
import { closeLeftOpen, crashMessage } from './crash-recovery.ts';
import { gatewaysToSeed, knownForSeeding, loadResume, type ResumePlan } from './resume-plan.ts';

export interface HubResumeOptions {
  bus: FrameSource;
  store: Store;
  /** A fresh fleet, seeded here. */
  fleet: HubFleet;
  clock: Clock;
  logger: Logger;
  /** What the store found about the previous run (openSqliteStore's `recovered`). */
  recovered?: StoreRecovery | undefined;
  /** The write queue's batch interval: what a kill -9 loses of the events. */
  flushIntervalMs: number;
  /** Terminals seen since then are expected (7 days ago). */
  since: number;
}

export interface HubResume {
  /** The store's plan over a replayable bus with a checkpoint; null on a fresh start. */
  readonly plan: ResumePlan | null;
  /** For the ingest: the checkpoint and the replay (a no-op over a bus that cannot replay). */
  readonly replay: BusReplay;
  /** Waits, at most `waitMs`, for a replay to catch up (at once without one). After the ingest started. */
  replayed(waitMs: number): Promise<void>;
}

export async function resumeHub(o: HubResumeOptions): Promise<HubResume> {
  const { store, fleet, logger } = o;
  const bus = isReplayable(o.bus) ? o.bus : null;
  const plan = bus ? await loadResume(store, bus.stream, o.since) : null;

  if (o.recovered && !o.recovered.cleanShutdown) {
    if (plan) {
      logger.warn({ recovered: o.recovered, replayAfter: plan.checkpoint.replayAfter }, `hub: previous run did not shut down cleanly; replaying the bus after ${plan.checkpoint.replayAfter} recovers what it had not stored`);
    } else {
      // Without a replayable bus the gateways ran in the dead process: its connections died with it.
      const closed = bus ? [] : await closeLeftOpen(store, o.since, o.recovered);
      logger.error({ recovered: o.recovered, closed: closed.length }, `hub: ${crashMessage(o.recovered, o.flushIntervalMs, closed.length) ?? ''}`);
    }
  }

  // After the crash's closes: they are the terminals' last closes now.
  const known = await store.knownTerminals(o.since);
  fleet.seedTerminals(knownForSeeding(known, plan));
  if (plan) {
    fleet.state.resumeFrom(plan.checkpoint.minutesBefore);
    fleet.state.seedGateways(gatewaysToSeed(plan));
    fleet.seedConnections(plan.open);
  }
  logger.info({ terminals: known.size, ...(plan ? { open: fleet.counts().connections } : {}) }, 'hub: expected terminals loaded from the store');

  const replay = bus ? createBusReplay({ bus, store, fleet, clock: o.clock, logger, plan }) : noReplay;
  return {
    plan,
    replay,
    async replayed(waitMs) {
      if (!plan) return;
      // Bounded, so a bus that is down does not keep the hub from serving what it has.
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = o.clock.setTimeout(() => resolve('late'), waitMs)));
      if ((await Promise.race([replay.caughtUp(), late])) === 'late') logger.warn({ waitedMs: waitMs }, 'hub: still replaying the bus; serving meanwhile');
      o.clock.clearTimeout(timer);
    },
  };
}
