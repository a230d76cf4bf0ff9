/**
 * `GET /api/replay/markers?from=&to=`: the incident markers of a window (src/core/replay/
 * incident-markers.ts), for the replay timeline to jump to. Bounded: the window spans at most a
 * day, lies within the rollups' retention, and at most `maxEvents` events and `maxMinutes`
 * restaurant-minutes are read — beyond, a stable refusal rather than a hub holding millions of rows.
 * Scoped in the store queries themselves: a manager's rows and events are their restaurants', so
 * their `fleet` markers are computed over their scope, and refused tokens — stored under no
 * restaurant — reach only a viewer who sees the whole fleet (their claims vouch for nothing).
 */
import { findIncidentMarkers } from '../../core/replay/incident-markers.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { ReplayMarkersAnswer } from '../../protocol/replay.ts';
import { windowOf } from '../hub/api/query-params.ts';
import { defaultRetention, type Store } from '../store/store.ts';

const MINUTE_MS = 60_000;
export const maxMarkersSpanMs = 86_400_000;

export interface MarkersDeps {
  store: Pick<Store, 'readEvents' | 'readMinutes'>;
  /** How long the store keeps restaurant-minutes (default: the store's default, 30 days). */
  minutesRetentionMs?: number;
  /** Most events one answer may read (default 500,000). */
  maxEvents?: number;
  /** Most restaurant-minutes one answer may read (default 500,000). */
  maxMinutes?: number;
}

export interface MarkersCall {
  query: URLSearchParams;
  now: number;
  /** The viewer's restaurants; null = the whole fleet. */
  restaurants: readonly string[] | null;
  inScope: (rid: string) => boolean;
}

export async function answerReplayMarkers(deps: MarkersDeps, call: MarkersCall): Promise<ReplayMarkersAnswer> {
  const { from, to } = windowOf(call.query, call.now, 3_600_000);
  if (to - from > maxMarkersSpanMs) throw new PulseError('BAD_REQUEST', `the window may span at most ${maxMarkersSpanMs / 3_600_000} h`);
  const oldest = call.now - (deps.minutesRetentionMs ?? defaultRetention.minutesMs);
  if (from < oldest || to > call.now + MINUTE_MS) throw new PulseError('REPLAY_OUT_OF_WINDOW', `the window must lie from ${oldest} to ${call.now}`);
  const maxEvents = deps.maxEvents ?? 500_000;
  const maxMinutes = deps.maxMinutes ?? 500_000;
  const rids = call.restaurants === null ? {} : { rids: call.restaurants };
  // The minute before `from` too: a fall in the window's first minute is measured from it.
  const minutes = await deps.store.readMinutes({ ...rids, from: Math.floor(from / MINUTE_MS) * MINUTE_MS - MINUTE_MS, to });
  if (minutes.length > maxMinutes) throw new PulseError('REPLAY_TOO_LARGE', `more than ${maxMinutes} restaurant-minutes in the window`);
  const events = await deps.store.readEvents({ ...rids, from, to, limit: maxEvents + 1 });
  if (events.length > maxEvents) throw new PulseError('REPLAY_TOO_LARGE', `more than ${maxEvents} events in the window`);
  const markers = findIncidentMarkers({
    minutes: minutes.filter((m) => call.inScope(m.rid)),
    events: events.filter((e) => (e.type === 'auth_fail' ? call.restaurants === null : call.inScope(e.rid))),
    from,
    to,
  });
  return { from, to, markers: markers.filter((m) => m.scope === 'fleet' || call.inScope(m.scope)) };
}
