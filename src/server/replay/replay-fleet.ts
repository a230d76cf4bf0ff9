/**
 * `GET /api/replay/fleet?t=…`: the fleet as it stood at `t`, rebuilt from the store by the core
 * replay (src/core/replay/fleet-replay.ts). Bounded: `t` must lie in the stored window (the
 * lifecycle events' retention: before it the connections cannot be rebuilt), and at most
 * `maxEvents` events are read — beyond, a stable refusal rather than a hub holding millions of rows.
 * Scoped in the store query itself (a manager's rids) and again on the answer.
 */
import { FleetReplay, type ReplayRestaurant } from '../../core/replay/fleet-replay.ts';
import { EXPECTED_WINDOW_MS } from '../../core/fleet-readouts.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { ReplayFleetAnswer, ReplayRestaurantWire } from '../../protocol/replay.ts';
import { defaultRetention, type Store } from '../store/store.ts';

const MINUTE_MS = 60_000;

export interface ReplayDeps {
  store: Pick<Store, 'readEvents' | 'readMinutes'>;
  /** How long the store keeps lifecycle events (default: the store's default, 7 days). */
  eventsRetentionMs?: number;
  /** Most events one answer may read (default 500,000). */
  maxEvents?: number;
  expectedWindowMs?: number;
}

export interface ReplayCall {
  /** The raw `t` parameter. */
  t: string | null;
  now: number;
  /** The viewer's restaurants; null = the whole fleet. */
  restaurants: readonly string[] | null;
  inScope: (rid: string) => boolean;
}

/** `t` in ms since epoch, strictly (a guessed instant would replay another moment). */
export function instantOf(raw: string | null, name = 't'): number {
  if (raw === null || !/^\d{1,15}$/.test(raw)) throw new PulseError('BAD_REQUEST', `${name} must be a time in ms since epoch`);
  return Number(raw);
}

export async function answerReplayFleet(deps: ReplayDeps, call: ReplayCall): Promise<ReplayFleetAnswer> {
  const t = instantOf(call.t);
  const window = { from: call.now - (deps.eventsRetentionMs ?? defaultRetention.eventsMs), to: call.now };
  if (t < window.from || t > window.to) throw new PulseError('REPLAY_OUT_OF_WINDOW', `t must be from ${window.from} to ${window.to}`);
  const expectedWindowMs = deps.expectedWindowMs ?? EXPECTED_WINDOW_MS;
  const maxEvents = deps.maxEvents ?? 500_000;
  const rids = call.restaurants === null ? {} : { rids: call.restaurants };
  // Every event up to t inclusive: who was connected needs the opens, however old (within the window).
  const events = await deps.store.readEvents({ ...rids, from: Math.max(window.from, t - expectedWindowMs), to: t + 1, limit: maxEvents + 1 });
  if (events.length > maxEvents) throw new PulseError('REPLAY_TOO_LARGE', `more than ${maxEvents} events lead up to t`);
  const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
  const minutes = await deps.store.readMinutes({ ...rids, from: minute, to: minute + MINUTE_MS });
  const replay = new FleetReplay({ events, minutes, expectedWindowMs }, t);
  const restaurants = replay
    .restaurants()
    .filter((r) => call.inScope(r.rid))
    .map((r) => replayWireOf(r, replay));
  return { t, window, restaurants };
}

/** A restaurant at the replay's instant as the wire has it, with its terminals. */
export function replayWireOf(r: ReplayRestaurant, replay: FleetReplay): ReplayRestaurantWire {
  const { at: _at, ...rest } = r;
  return { ...rest, terminalList: replay.terminals(r.rid) };
}
