/**
 * The replay source: fills a live store (src/web/live/live-store.ts, the interface the /live
 * stream fills) from the hub's replay endpoints, so the fleet views show a past instant with no
 * change of theirs. A seek replaces the state with `/api/replay/fleet?t=`; moving forward applies
 * `/api/replay/changes` frames as the live contract's deltas (live-reducer.ts `applyFrames`), so
 * playback never rebuilds the fleet from scratch.
 *
 *   const source = createReplaySource({ api, store, now });
 *   source.show(t, { aheadMs, stepMs, limit });   // every tick of the cursor; cheap when nothing is due
 *
 * Frames are diffs against the frame before them, so the buffer is valid only as one run from the
 * instant held: a move anywhere else drops it. One request at a time; the latest wish wins.
 */
import type { RestaurantFiguresWire, ViewerScope } from '../../../../protocol/live.ts';
import type { ReplayChangeFrame } from '../../../../protocol/replay.ts';
import { ApiError } from '../../../lib/api-client.ts';
import { emptyLiveData } from '../../../live/live-data.ts';
import { applyFrames } from '../../../live/live-reducer.ts';
import { createLiveStore, type LiveStore } from '../../../live/live-store.ts';
import { addTick } from '../../../live/fleet-series.ts';
import type { ReplayApi } from '../api/replay-api.ts';
import { deltaOfChanges, figuresOfReplay, replayEpoch, replayTotals } from './replay-figures.ts';

/**
 * A replayed instant is never late: with a tick this long the liveness rule (liveness.ts) never
 * greys a paused replay out. A fetch in flight does (`resyncFrom`), as a gap does live.
 */
const replayTickMs = 86_400_000;
/** Further ahead than this, a seek is cheaper than the changes in between. */
const farMs = 10 * 60_000;
/** The most frames, and span, one changes call may ask for (src/server/replay/replay-changes.ts). */
const maxFrames = 600;
const maxSpanMs = 3_600_000;

export interface ShowOptions {
  /** While playing: how far past `t` to have fetched already (0 when paused). */
  aheadMs: number;
  /** The frames' spacing (whole seconds). */
  stepMs: number;
  /** Nothing is fetched past this instant (the window's end). */
  limit: number;
}

export interface ReplaySource {
  show(t: number, o: ShowOptions): void;
  setScope(scope: ViewerScope | null): void;
  /** The instant the store holds; null before the first answer. */
  readonly shown: number | null;
  dispose(): void;
}

/** A live store for replay: open and current by construction, every restaurant's figures "live". */
export function createReplayStore(): LiveStore {
  const store = createLiveStore();
  store.setState({ connection: { socket: 'open', failure: null, rttMs: null }, tickMs: replayTickMs });
  // A replayed figure is as current as the instant it is of: the interest views declare
  // (live-interest.ts) is answered at once.
  store.subscribe((s) => {
    const rids = s.interest.rids;
    if (rids !== null && rids.some((rid) => !s.interest.live.has(rid))) store.setState({ interest: { ...s.interest, live: new Set(rids) } });
  });
  return store;
}

export function createReplaySource(o: { api: ReplayApi; store: LiveStore; now: () => number }): ReplaySource {
  const { api, store } = o;
  let fleet = new Map<string, RestaurantFiguresWire>();
  let shown: number | null = null;
  let frames: ReplayChangeFrame[] = [];
  let bufferedTo: number | null = null;
  let seq = 0;
  let scope: ViewerScope | null = null;
  let wanted: { t: number; o: ShowOptions } | null = null;
  let busy = false;
  let failedFor: number | null = null;
  let disposed = false;
  const abort = new AbortController();

  async function seek(t: number): Promise<void> {
    const held = store.getState().position;
    if (held) store.setState({ resyncFrom: held });
    const answer = await api.fleetAt(t, abort.signal);
    fleet = new Map(answer.restaurants.map((r) => [r.rid, figuresOfReplay(r)]));
    const totals = replayTotals(fleet.values());
    const restaurants = new Map(fleet);
    seq = 0;
    store.setState((s) => ({
      ...emptyLiveData(),
      connection: s.connection,
      tickMs: replayTickMs,
      interest: s.interest,
      scope,
      position: { epoch: replayEpoch, seq },
      restaurants,
      totals,
      hubTime: t,
      appliedAt: o.now(),
      series: addTick(emptyLiveData().series, t, totals, restaurants, true),
    }));
    shown = t;
    frames = [];
    bufferedTo = t;
  }

  async function fetchChanges(from: number, to: number, stepMs: number): Promise<void> {
    const step = Math.max(1000, Math.ceil(stepMs / 1000) * 1000);
    const end = Math.min(to, from + maxSpanMs, from + maxFrames * step);
    const answer = await api.changes(from, end, step, abort.signal);
    frames.push(...answer.frames);
    bufferedTo = end;
  }

  function applyUpTo(t: number): void {
    let n = 0;
    while (n < frames.length && (frames[n] as ReplayChangeFrame).t <= t) n++;
    if (n === 0) return;
    const deltas = frames.splice(0, n).map((f) => deltaOfChanges(fleet, f, ++seq));
    store.setState((s) => applyFrames(s, deltas, o.now()));
    shown = deltas.at(-1)?.t ?? shown;
  }

  async function step(w: { t: number; o: ShowOptions }): Promise<boolean> {
    const t = w.t;
    if (shown === null || bufferedTo === null || t < shown || t - bufferedTo > farMs) {
      await seek(t);
      return true;
    }
    if (t > bufferedTo) {
      // Paused: a frame exactly at t (the server ends on `to`). Playing: a run well past it.
      await fetchChanges(bufferedTo, w.o.aheadMs > 0 ? Math.min(w.o.limit, t + w.o.aheadMs) : t, w.o.stepMs);
      return true;
    }
    applyUpTo(t);
    if (w.o.aheadMs === 0 && shown !== t) {
      // Paused between two frames: the state at t exactly, and what was buffered beyond is moot.
      frames = [];
      bufferedTo = shown;
      await fetchChanges(shown, t, Math.max(1000, t - shown));
      applyUpTo(t);
      return false;
    }
    if (w.o.aheadMs > 0 && bufferedTo - t < w.o.aheadMs / 2 && bufferedTo < w.o.limit) {
      await fetchChanges(bufferedTo, Math.min(w.o.limit, bufferedTo + w.o.aheadMs), w.o.stepMs);
      applyUpTo(wanted?.t ?? t);
    }
    return false;
  }

  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      // Again while a newer wish came in during a request (bounded: each pass moves forward).
      for (let pass = 0; pass < 4 && wanted && !disposed; pass++) {
        const w = wanted;
        if (failedFor === w.t) break;
        const again = await step(w);
        if (!again && wanted === w) break;
      }
    } catch (error) {
      if (disposed) return;
      failedFor = wanted?.t ?? null;
      const code = error instanceof ApiError ? error.code : 'NETWORK';
      store.setState({ lastError: { code, message: error instanceof Error ? error.message : String(error) } });
    } finally {
      busy = false;
    }
  }

  return {
    show(t, opts) {
      const at = Math.floor(t);
      if (wanted && wanted.t === at && shown === at) return;
      wanted = { t: at, o: opts };
      if (failedFor !== at) store.setState((s) => (s.lastError ? { lastError: null } : s));
      void pump();
    },
    setScope(next) {
      scope = next;
      store.setState({ scope: next });
    },
    get shown() {
      return shown;
    },
    dispose() {
      disposed = true;
      abort.abort();
    },
  };
}
