/**
 * A hub restarting over a replayable bus (Redis Streams) with a checkpoint (bus-checkpoint.ts)
 * rebuilds the fleet state as a hub that never stopped would hold it, before the bus replays:
 *
 * 1. minutes before the checkpoint's `minutesBefore` are in the store: writes to them are late;
 * 2. gateways as the checkpoint knew them (run, last frame), so one that died or restarted while
 *    the hub was away takes its connections with it — as in normal operation;
 * 3. connections the stored events leave open, opened before the replayed events below;
 * 4. the stored lifecycle events from 10 minutes (the reconnect window) before `minutesBefore`
 *    on, applied in order: connections, reconnects and the connections gauge of the minutes still
 *    to write come out as they did, and the reconnect rule sees every close it needs.
 *
 * Those events are the ones of every frame up to the checkpoint's `eventsThrough` (the store has
 * no others: a checkpoint is written with its batch), so replayed frames up to there skip their
 * lifecycle events, and later ones apply theirs.
 */
import { RECONNECT_WINDOW_MS } from '../../../core/reconnect.ts';
import type { ProbeEventOf } from '../../../protocol/probe-events.ts';
import type { LifecycleEvent } from '../../../protocol/telemetry.ts';
import type { KnownTerminal, Store } from '../../store/store.ts';
import { checkpointName, decodeCheckpoint, type BusCheckpoint } from './bus-checkpoint.ts';

export interface ResumePlan {
  checkpoint: BusCheckpoint;
  /** Stored events from here on are applied one by one (`recent`); connections opened before come from `open`. */
  since: number;
  recent: LifecycleEvent[];
  open: ProbeEventOf<'open'>[];
}

/** What the store holds for a hub resuming `stream`, or null when it has no checkpoint for it. */
export async function loadResume(store: Store, stream: string, expectedSince: number): Promise<ResumePlan | null> {
  const checkpoint = decodeCheckpoint(await store.readCheckpoint(checkpointName(stream)));
  if (!checkpoint) return null;
  const since = checkpoint.minutesBefore - RECONNECT_WINDOW_MS;
  const [recent, open] = await Promise.all([
    store.readEvents({ from: since, to: Number.MAX_SAFE_INTEGER }),
    store.openConnections(expectedSince),
  ]);
  return { checkpoint, since, recent, open: open.filter((o) => o.t < since) };
}

/**
 * Terminals' last closes from the store, as the fleet state's reconnect memory: all of them on a
 * fresh start; with a plan, only those older than the events the plan replays (a later one seeded
 * first would make the replayed history run backwards).
 */
export function knownForSeeding(known: ReadonlyMap<string, KnownTerminal>, plan: ResumePlan | null): Map<string, KnownTerminal> {
  if (!plan) return new Map(known);
  const out = new Map<string, KnownTerminal>();
  for (const [key, k] of known) out.set(key, k.lastClose !== undefined && k.lastClose >= plan.since ? { rid: k.rid, tid: k.tid, lastSeen: k.lastSeen } : k);
  return out;
}

/** The gateways to seed: the checkpoint's, and any other the seeded connections or events name (presumed dead until heard). */
export function gatewaysToSeed(plan: ResumePlan): { gw: string; run: number; heardAt: number }[] {
  const out = new Map<string, { gw: string; run: number; heardAt: number }>();
  for (const [gw, g] of Object.entries(plan.checkpoint.gateways)) out.set(gw, { gw, run: g.run, heardAt: g.t });
  for (const e of [...plan.open, ...plan.recent]) if (!out.has(e.gw)) out.set(e.gw, { gw: e.gw, run: -1, heardAt: -Infinity });
  return [...out.values()];
}
