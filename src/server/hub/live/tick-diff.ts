/**
 * The fleet's figures as of the last tick, and what changed since the one before. Figures are
 * compared by their JSON text: the wire shape is what viewers see, so "changed" means "a viewer
 * would see a different byte", and rounding done by the source is respected.
 */
import type { RestaurantFiguresWire } from '../../../protocol/live.ts';

export interface TickChanges {
  /** Restaurants new or different since the previous tick, in source order. */
  changed: RestaurantFiguresWire[];
  removed: string[];
}

export class FiguresState {
  private current = new Map<string, { figures: RestaurantFiguresWire; json: string }>();

  apply(restaurants: readonly RestaurantFiguresWire[]): TickChanges {
    const changed: RestaurantFiguresWire[] = [];
    const seen = new Set<string>();
    for (const figures of restaurants) {
      if (seen.has(figures.rid)) continue; // a source listing a restaurant twice: first one wins
      seen.add(figures.rid);
      const prev = this.current.get(figures.rid);
      // Sources hand over immutable objects (see LiveSource), so the same object is unchanged
      // without serialising it: a quiet fleet of 2,000 restaurants diffs at almost no cost.
      if (prev?.figures === figures) continue;
      const json = JSON.stringify(figures);
      if (prev?.json === json) continue;
      this.current.set(figures.rid, { figures, json });
      changed.push(figures);
    }
    const removed: string[] = [];
    for (const rid of this.current.keys()) {
      if (!seen.has(rid)) removed.push(rid);
    }
    for (const rid of removed) this.current.delete(rid);
    return { changed, removed };
  }

  *values(): IterableIterator<RestaurantFiguresWire> {
    for (const entry of this.current.values()) yield entry.figures;
  }

  get size(): number {
    return this.current.size;
  }
}
