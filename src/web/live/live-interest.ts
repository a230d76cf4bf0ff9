/**
 * What the dashboard looks at, for the hub's interest-based streaming (protocol/live.ts,
 * `summaryFigureFields`). Views declare their part under a key (the list: the rows in and near
 * view; the restaurant page: its restaurant); the union is what the connection sends. Until a view
 * declares one, `interest` is null and the hub sends every patch, so every figure is live.
 *
 * Once it is not null, a restaurant's rolling figures (rates, shares, percentiles) are live only
 * while it is in `live`: the hub answered the interest with its current figures and patches it
 * every tick since. Others still have a true status, "N / M connected" and order (the summary),
 * but their other figures may be old and must not be shown as live.
 */
import { maxInterestRids } from '../../protocol/live.ts';

export interface InterestState {
  /** What each view declared. */
  readonly parts: ReadonlyMap<string, readonly string[]>;
  /** Their union, at most `maxInterestRids`, in declaration order; null before any view declared. */
  readonly rids: readonly string[] | null;
  /** Restaurants whose every figure is current (see above). */
  readonly live: ReadonlySet<string>;
}

export const noInterest: InterestState = { parts: new Map(), rids: null, live: new Set() };

/** The state after a view declares `rids` under `key` (null: the view is gone). */
export function withInterest(state: InterestState, key: string, rids: readonly string[] | null): InterestState {
  const parts = new Map(state.parts);
  if (rids === null) parts.delete(key);
  else parts.set(key, rids);
  const union = new Set<string>();
  for (const list of parts.values()) for (const rid of list) if (union.size < maxInterestRids) union.add(rid);
  const next = [...union];
  if (state.rids && sameList(state.rids, next)) return { ...state, parts };
  // Rows that leave the interest stop getting patches at once: they are no longer live.
  const live = new Set([...state.live].filter((rid) => union.has(rid)));
  // The first declaration switches the stream to interest mode for good (for this connection).
  return { parts, rids: state.rids === null && parts.size === 0 ? null : next, live };
}

/**
 * Whether a restaurant's rolling figures can be shown as live. Typed by the one field it reads,
 * not by LiveData: live-data.ts imports this file, and importing it back would be a circle.
 */
export function isLive(data: { readonly interest: InterestState }, rid: string): boolean {
  return data.interest.rids === null || data.interest.live.has(rid);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((rid, i) => rid === b[i]);
}
