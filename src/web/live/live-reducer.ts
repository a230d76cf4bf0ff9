/**
 * Applies stream frames to the dashboard's state: a snapshot replaces, a delta merges. The
 * contract (protocol/live.ts) makes a viewer's seqs contiguous, so the bookkeeping is strict:
 * a delta at or below our position was already applied (a replay overlap) and is dropped; one past
 * position + 1, or from another epoch, is a gap — nothing more is applied until the hub replays the
 * missing deltas or sends a snapshot. Never a gap, never a duplicate, shown as data.
 */
import type { DeltaFrame, FiguresFrame, LiveFrame, RestaurantFiguresWire, RestaurantPatchWire, SnapshotFrame } from '../../protocol/live.ts';
import { restaurantFiguresWireSchema } from '../../protocol/live.ts';
import { addEvents } from './event-feed.ts';
import { addTick } from './fleet-series.ts';
import type { LiveData } from './live-data.ts';

/** Applies frames in arrival order; `receivedAt` is our clock when the batch is applied. */
export function applyFrames(data: LiveData, frames: readonly LiveFrame[], receivedAt: number): LiveData {
  let next = data;
  for (const frame of frames) {
    const before = next;
    next = applyFrame(next, frame, receivedAt);
    // Several deltas in one batch (a replay): the change is counted from the batch's first map.
    const a = before.restaurantsChanged;
    const b = next.restaurantsChanged;
    if (before !== data && a && b && b !== a && b.from === before.restaurants) next = { ...next, restaurantsChanged: { from: a.from, rids: new Set([...a.rids, ...b.rids]) } };
  }
  return next;
}

export function applyFrame(data: LiveData, frame: LiveFrame, receivedAt: number): LiveData {
  switch (frame.type) {
    case 'snapshot':
      return applySnapshot(data, frame, receivedAt);
    case 'delta':
      return applyDelta(data, frame, receivedAt);
    case 'figures':
      return applyFigures(data, frame);
    case 'error':
      return { ...data, lastError: { code: frame.code, message: frame.message } };
    case 'terminal_events':
      // Watched terminals belong to the terminal drill-down; the fleet state does not hold them.
      return data;
    case 'pong':
      return data;
  }
}

function applySnapshot(data: LiveData, f: SnapshotFrame, receivedAt: number): LiveData {
  const restaurants = new Map<string, RestaurantFiguresWire>();
  for (const r of f.restaurants) restaurants.set(r.rid, r);
  return {
    ...data,
    position: { epoch: f.epoch, seq: f.seq },
    scope: f.scope,
    tickMs: f.tickMs,
    refreshMs: f.refreshMs,
    restaurants,
    restaurantsChanged: null,
    totals: f.totals,
    hubTime: f.t,
    appliedAt: receivedAt,
    feed: addEvents(data.feed, f.events),
    series: addTick(data.series, f.t, f.totals, restaurants, true),
    resyncFrom: null,
    // A snapshot holds published figures, not the fresh ones: live again once the hub answers.
    interest: data.interest.live.size > 0 ? { ...data.interest, live: new Set() } : data.interest,
  };
}

/**
 * The hub's answer to an interest: current figures, whole, at the position they follow. At any
 * other position they do not fit the deltas applied (a resync is under way): they are dropped,
 * and the interest the connection sends again after it brings them anew.
 */
function applyFigures(data: LiveData, f: FiguresFrame): LiveData {
  const at = data.position;
  if (!at || at.epoch !== f.epoch || at.seq !== f.seq || f.restaurants.length === 0) return data;
  const restaurants = new Map(data.restaurants);
  const wanted = new Set(data.interest.rids ?? []);
  const live = new Set(data.interest.live);
  const rids = new Set<string>();
  for (const r of f.restaurants) {
    restaurants.set(r.rid, r);
    rids.add(r.rid);
    if (wanted.has(r.rid)) live.add(r.rid);
  }
  return { ...data, restaurants, restaurantsChanged: { from: data.restaurants, rids }, interest: { ...data.interest, live } };
}

/** Where a delta stands against our position. */
export function deltaPlace(data: LiveData, f: Pick<DeltaFrame, 'epoch' | 'seq'>): 'apply' | 'duplicate' | 'gap' {
  const at = data.position;
  // Without a snapshot there is nothing to apply a delta to.
  if (!at || f.epoch !== at.epoch) return 'gap';
  if (f.seq <= at.seq) return 'duplicate';
  return f.seq === at.seq + 1 ? 'apply' : 'gap';
}

function applyDelta(data: LiveData, f: DeltaFrame, receivedAt: number): LiveData {
  const place = deltaPlace(data, f);
  if (place === 'duplicate') return data;
  if (place === 'gap') return data.resyncFrom || !data.position ? data : { ...data, resyncFrom: data.position };
  let restaurants = data.restaurants;
  let restaurantsChanged = data.restaurantsChanged;
  if (f.restaurants.length > 0 || f.removed.length > 0) {
    const merged = new Map(data.restaurants);
    const rids = new Set<string>(f.removed);
    for (const rid of f.removed) merged.delete(rid);
    for (const patch of f.restaurants) {
      const next = patched(merged.get(patch.rid), patch);
      // A patch for a restaurant we never had whole cannot be shown, and replaying the same deltas
      // would not help: ask for a snapshot (a resume from an epoch no hub has gets one).
      if (next === null) return { ...data, resyncFrom: { epoch: '-', seq: 0 } };
      merged.set(patch.rid, next);
      rids.add(patch.rid);
    }
    restaurants = merged;
    restaurantsChanged = { from: data.restaurants, rids };
  }
  return {
    ...data,
    position: { epoch: f.epoch, seq: f.seq },
    restaurants,
    restaurantsChanged,
    totals: f.totals,
    hubTime: f.t,
    appliedAt: receivedAt,
    feed: addEvents(data.feed, f.events),
    series: addTick(data.series, f.t, f.totals, restaurants, false),
    eventsOmitted: data.eventsOmitted + f.eventsOmitted,
    refreshMs: f.refreshMs,
    resyncFrom: null,
  };
}

/** A restaurant after a delta's patch: fields left out keep their value; a new one must come whole. */
export function patched(prev: RestaurantFiguresWire | undefined, patch: RestaurantPatchWire): RestaurantFiguresWire | null {
  if (prev !== undefined) return { ...prev, ...patch };
  const whole = restaurantFiguresWireSchema.safeParse(patch);
  return whole.success ? whole.data : null;
}
