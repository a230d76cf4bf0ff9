/**
 * What one viewer looks at, and the deltas cut for it (the rule is `summaryFigureFields` in
 * protocol/live.ts): full-rate patches for the restaurants it names, a compact summary for the
 * rest of its scope. The scope is applied first and by the hub: an interest narrows what a viewer
 * gets, it never widens it — a name outside the scope is dropped here, before anything is sent.
 *
 * Why a per-viewer copy of what it was sent: the shared patches (tick-diff.ts) hold rolling
 * figures back for a refresh period; an interested viewer gets them every tick, so its patches
 * are diffs against what this viewer holds, not against what every viewer holds.
 */
import type { DeltaFrame, RestaurantFiguresWire, RestaurantPatchWire } from '../../../protocol/live.ts';
import { restaurantFiguresWireSchema, summaryFigureFields } from '../../../protocol/live.ts';
import type { Scope } from './viewer-scope.ts';

/** A restaurant's current figures at wire precision (FiguresState.latest). */
export type LatestFigures = (rid: string) => RestaurantFiguresWire | undefined;

type Field = keyof RestaurantFiguresWire;
const fields = (f: RestaurantFiguresWire): Field[] => Object.keys(f) as Field[];

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The fields of `next` that differ from `prev`, with `rid`; null when none do. */
export function diffFigures(prev: RestaurantFiguresWire, next: RestaurantFiguresWire): RestaurantPatchWire | null {
  const patch: Record<string, unknown> = { rid: next.rid };
  let any = false;
  for (const k of fields(next)) {
    if (k === 'rid' || same(prev[k], next[k])) continue;
    patch[k] = next[k];
    any = true;
  }
  return any ? (patch as RestaurantPatchWire) : null;
}

const wholeFieldCount = Object.keys(restaurantFiguresWireSchema.shape).length;

/**
 * A shared patch cut to the summary fields; null when it carries none of them. A restaurant new to
 * the stream comes whole and stays whole: a viewer cannot show a patch of one it never had.
 */
export function summaryPatch(patch: RestaurantPatchWire): RestaurantPatchWire | null {
  if (Object.keys(patch).length === wholeFieldCount) return patch;
  const out: Record<string, unknown> = { rid: patch.rid };
  let any = false;
  for (const k of summaryFigureFields) {
    if (patch[k] === undefined) continue;
    out[k] = patch[k];
    any = true;
  }
  return any ? (out as RestaurantPatchWire) : null;
}

export class ViewerInterest {
  /** What this viewer was last sent of each restaurant it is interested in. */
  private readonly held = new Map<string, RestaurantFiguresWire>();

  constructor(private readonly scope: Scope) {}

  get rids(): ReadonlySet<string> {
    return new Set(this.held.keys());
  }

  has(rid: string): boolean {
    return this.held.has(rid);
  }

  /**
   * Replaces the interest; returns the current figures of the restaurants new to it (the
   * `figures` frame). Out of scope and unknown names are dropped alike.
   */
  set(rids: readonly string[], latest: LatestFigures): RestaurantFiguresWire[] {
    const wanted = new Set(rids.filter((rid) => this.scope.includes(rid)));
    for (const rid of [...this.held.keys()]) if (!wanted.has(rid)) this.held.delete(rid);
    const added: RestaurantFiguresWire[] = [];
    for (const rid of wanted) {
      if (this.held.has(rid)) continue;
      const figures = latest(rid);
      if (!figures) continue;
      this.held.set(rid, figures);
      added.push(figures);
    }
    return added;
  }

  /**
   * Every interested restaurant again, whole (after a replay of shared deltas, which may have
   * overwritten fresher figures with published ones).
   */
  refill(latest: LatestFigures): RestaurantFiguresWire[] {
    const rids = [...this.held.keys()];
    this.held.clear();
    return this.set(rids, latest);
  }

  /** This viewer's delta from the scope's shared one: full patches for its interest, summaries for the rest. */
  cut(shared: DeltaFrame, latest: LatestFigures): DeltaFrame {
    const restaurants: RestaurantPatchWire[] = [];
    for (const patch of shared.restaurants) {
      if (this.held.has(patch.rid)) continue;
      const summary = summaryPatch(patch);
      if (summary) restaurants.push(summary);
    }
    for (const [rid, prev] of this.held) {
      const next = latest(rid);
      if (!next) continue; // removed: `removed` says so, and the viewer drops it
      const patch = diffFigures(prev, next);
      if (!patch) continue;
      this.held.set(rid, next);
      restaurants.push(patch);
    }
    for (const rid of shared.removed) this.held.delete(rid);
    return { ...shared, restaurants };
  }
}
