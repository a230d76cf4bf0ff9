/**
 * The fleet's figures as viewers last saw them, and the patches that bring them up to date.
 *
 * What goes out when (the rule of `deltaFrameSchema` in protocol/live.ts):
 * - a change of status, connections or expected terminals goes out the tick it happens, together
 *   with whatever rolling figures changed since the restaurant was last sent;
 * - rolling figures alone (rates, shares, percentiles over a window) go out once the restaurant's
 *   refresh period is up. Each restaurant's period starts at a phase of its own (a hash of its
 *   id), so a quiet fleet of 2,000 restaurants refreshes ~67 a second at 30 s rather than all of
 *   them in one tick every 30 s;
 * - a restaurant new to the stream goes out whole; patches carry only changed fields.
 *
 * Figures are published at wire precision (three significant digits for rates and milliseconds,
 * 0.01 % for shares), so a change in the fifth decimal is not a change. Equality is by value: a
 * viewer's "changed" means "would see a different number".
 */
import type { RestaurantFiguresWire, RestaurantPatchWire } from '../../../protocol/live.ts';
import { rollingFigureFields, urgentFigureFields } from '../../../protocol/live.ts';

export interface TickChanges {
  /** Restaurants new or different since the previous tick, in source order. */
  changed: RestaurantPatchWire[];
  removed: string[];
}

interface Published {
  /** What viewers hold now (at wire precision): snapshots are cut from these. */
  figures: RestaurantFiguresWire;
  /** The source object `figures` fully reflects; null while a rolling change waits its turn. */
  source: RestaurantFiguresWire | null;
  /** When rolling figures were last sent (or the phase-shifted start of the first period). */
  refreshedAt: number;
}

type Field = keyof RestaurantFiguresWire;

const sig3 = (v: number): number => (v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(3)));
const share = (v: number | null): number | null => (v === null ? null : Math.round(v * 10_000) / 10_000);
const percentiles = (p: RestaurantFiguresWire['rttMs']): RestaurantFiguresWire['rttMs'] =>
  p === null ? null : { p50: sig3(p.p50), p95: sig3(p.p95), p99: sig3(p.p99) };

/** The figures at the precision viewers get them. */
export function atWirePrecision(f: RestaurantFiguresWire): RestaurantFiguresWire {
  return {
    ...f,
    reconnectsPerMin: sig3(f.reconnectsPerMin),
    heartbeatSuccess: share(f.heartbeatSuccess),
    rttMs: percentiles(f.rttMs),
    deliveryMs: percentiles(f.deliveryMs),
    errorsPerMin: sig3(f.errorsPerMin),
    stability: share(f.stability),
  };
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Where in [0, periodMs) a restaurant's refresh period starts: FNV-1a of its id. */
export function refreshPhase(rid: string, periodMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rid.length; i++) h = Math.imul(h ^ rid.charCodeAt(i), 0x01000193);
  return periodMs > 0 ? (h >>> 0) % periodMs : 0;
}

export class FiguresState {
  private current = new Map<string, Published>();

  /** `refreshMs` 0 sends every rolling change the tick it happens (v1 behaviour; tests). */
  constructor(private readonly refreshMs = 30_000) {}

  apply(restaurants: readonly RestaurantFiguresWire[], now: number): TickChanges {
    const changed: RestaurantPatchWire[] = [];
    const seen = new Set<string>();
    for (const source of restaurants) {
      if (seen.has(source.rid)) continue; // a source listing a restaurant twice: first one wins
      seen.add(source.rid);
      const prev = this.current.get(source.rid);
      // Sources hand over immutable objects (see LiveSource): the same object is unchanged.
      if (prev !== undefined && prev.source === source) continue;
      const next = atWirePrecision(source);
      if (prev === undefined) {
        this.current.set(source.rid, { figures: next, source, refreshedAt: now - refreshPhase(source.rid, this.refreshMs) });
        changed.push(next);
        continue;
      }
      const patch = this.patch(prev, source, next, now);
      if (patch === null) continue;
      changed.push(patch);
    }
    const removed: string[] = [];
    for (const rid of this.current.keys()) {
      if (!seen.has(rid)) removed.push(rid);
    }
    for (const rid of removed) this.current.delete(rid);
    return { changed, removed };
  }

  /** Updates `prev` to what viewers will hold and returns the patch, or null when nothing goes out. */
  private patch(prev: Published, source: RestaurantFiguresWire, next: RestaurantFiguresWire, now: number): RestaurantPatchWire | null {
    const urgent = urgentFigureFields.filter((k) => prev.figures[k] !== next[k]);
    const rolling = rollingFigureFields.filter((k) => !same(prev.figures[k], next[k]));
    const due = now - prev.refreshedAt >= this.refreshMs;
    if (urgent.length === 0 && (rolling.length === 0 || !due)) {
      // Nothing to send now. Remember the source only if viewers already hold all of it; a waiting
      // rolling change keeps it null, so the next tick looks again even if the object is the same.
      prev.source = rolling.length === 0 ? source : null;
      return null;
    }
    const patch: Record<string, unknown> = { rid: next.rid };
    for (const k of [...urgent, ...rolling] as Field[]) patch[k] = next[k];
    // Every changed field goes out, so viewers hold all of `source` after this delta.
    prev.figures = next;
    prev.source = source;
    if (rolling.length > 0) prev.refreshedAt = now;
    return patch as RestaurantPatchWire;
  }

  *values(): IterableIterator<RestaurantFiguresWire> {
    for (const entry of this.current.values()) yield entry.figures;
  }

  get size(): number {
    return this.current.size;
  }
}
