/**
 * `GET /api/replay/changes?from=&to=&step=`: what playback applies, so the dashboard never rebuilds
 * the fleet for each second it shows. The fleet is rebuilt at `from` once (as `/api/replay/fleet`
 * does) and stepped forward by `FleetReplay.advanceTo` to every `from + k·step` up to `to`; each
 * frame carries the restaurants whose state changed since the frame before, whole, and the ones gone.
 * Bounded: `step` is whole seconds, at most `maxChangeFrames` frames and `maxChangesSpanMs` of
 * history per call, inside the stored window, and the same event cap as the rebuild. Scoped in
 * the store queries and again on every frame.
 */
import { FleetReplay } from '../../core/replay/fleet-replay.ts';
import { EXPECTED_WINDOW_MS } from '../../core/fleet-readouts.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { ReplayChangeFrame, ReplayChangesAnswer, ReplayRestaurantWire } from '../../protocol/replay.ts';
import { defaultRetention } from '../store/store.ts';
import { instantOf, replayWireOf, type ReplayDeps } from './replay-fleet.ts';

const MINUTE_MS = 60_000;
export const maxChangeFrames = 600;
export const maxChangesSpanMs = 3_600_000;

export interface ChangesCall {
  query: URLSearchParams;
  now: number;
  /** The viewer's restaurants; null = the whole fleet. */
  restaurants: readonly string[] | null;
  inScope: (rid: string) => boolean;
}

export async function answerReplayChanges(deps: ReplayDeps, call: ChangesCall): Promise<ReplayChangesAnswer> {
  const from = instantOf(call.query.get('from'), 'from');
  const to = instantOf(call.query.get('to'), 'to');
  const step = instantOf(call.query.get('step') ?? '1000', 'step');
  if (step < 1000 || step % 1000 !== 0) throw new PulseError('BAD_REQUEST', 'step must be whole seconds, at least 1000 ms');
  if (from >= to) throw new PulseError('BAD_REQUEST', 'from must be before to');
  if (to - from > maxChangesSpanMs) throw new PulseError('BAD_REQUEST', `the window may span at most ${maxChangesSpanMs / 60_000} min`);
  if (Math.ceil((to - from) / step) > maxChangeFrames) throw new PulseError('BAD_REQUEST', `at most ${maxChangeFrames} frames per call: a larger step or a shorter window`);
  const oldest = call.now - (deps.eventsRetentionMs ?? defaultRetention.eventsMs);
  if (from < oldest || to > call.now) throw new PulseError('REPLAY_OUT_OF_WINDOW', `the window must lie from ${oldest} to ${call.now}`);
  const expectedWindowMs = deps.expectedWindowMs ?? EXPECTED_WINDOW_MS;
  const maxEvents = deps.maxEvents ?? 500_000;
  const rids = call.restaurants === null ? {} : { rids: call.restaurants };
  const events = await deps.store.readEvents({ ...rids, from: Math.max(oldest, from - expectedWindowMs), to: to + 1, limit: maxEvents + 1 });
  if (events.length > maxEvents) throw new PulseError('REPLAY_TOO_LARGE', `more than ${maxEvents} events lead up to the window`);
  const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  // The minute before the first too: a restaurant with no event yet is known from it (fleet-replay.ts).
  const minutes = await deps.store.readMinutes({ ...rids, from: first - MINUTE_MS, to: Math.floor(to / MINUTE_MS) * MINUTE_MS + MINUTE_MS });
  const replay = new FleetReplay({ events, minutes, expectedWindowMs }, from);
  let shown = stateOf(replay, call.inScope);
  const frames: ReplayChangeFrame[] = [];
  for (let t = from + step; t <= to + step - 1; t += step) {
    replay.advanceTo(Math.min(t, to));
    const next = stateOf(replay, call.inScope);
    const changed: ReplayRestaurantWire[] = [];
    for (const [rid, r] of next) if (shown.get(rid)?.json !== r.json) changed.push(r.wire);
    const removed = [...shown.keys()].filter((rid) => !next.has(rid));
    frames.push({ t: Math.min(t, to), restaurants: changed, removed });
    shown = next;
  }
  return { from, to, step, frames };
}

/** Each restaurant at the replay's instant, with its JSON to compare frames by (what the client would see). */
function stateOf(replay: FleetReplay, inScope: (rid: string) => boolean): Map<string, { wire: ReplayRestaurantWire; json: string }> {
  const out = new Map<string, { wire: ReplayRestaurantWire; json: string }>();
  for (const r of replay.restaurants()) {
    if (!inScope(r.rid)) continue;
    const wire = replayWireOf(r, replay);
    out.set(r.rid, { wire, json: JSON.stringify(wire) });
  }
  return out;
}
