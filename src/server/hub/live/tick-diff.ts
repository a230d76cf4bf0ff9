/**
 * The fleet's figures as viewers last saw them, and the patches that bring them up to date.
 *
 * What goes out when (the rule of `deltaFrameSchema` in protocol/live.ts):
 * - a change of status, connections or expected terminals goes out the tick it happens, together
 *   with whatever rolling figures changed since the restaurant was last sent;
 * - rolling figures alone (rates, shares, percentiles over a window) go out once the restaurant's
 *   refresh period is up. The period grows with the fleet so that refreshes stay within a budget
 *   of restaurants a second (`refreshPeriodMs`): 30 restaurants refresh every 5 s, 2,000 every
 *   60 s — at ~120 bytes a patch, 2,000 restaurants every 30 s alone were 8 KB/s of a 10 KB/s
 *   stream budget. Each restaurant's period starts at a phase of its own (a hash of its id), so
 *   the refreshes spread evenly instead of landing in one tick;
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
  /** The newest source object, whether or not it was sent: what interested viewers get at once. */
  latest: RestaurantFiguresWire;
  /** `latest` at wire precision, computed when first asked for (most restaurants never are). */
  latestWire: RestaurantFiguresWire | null;
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

/** How long a restaurant's changing rolling figures may wait, as the fleet grows. */
export interface RefreshPolicy {
  /** The longest wait; 0 sends every rolling change the tick it happens. */
  maxMs: number;
  /** The shortest: small fleets need not refresh every tick. */
  minMs: number;
  /** Rolling refreshes a second the period aims at. */
  perSecond: number;
}

export const defaultRefreshPolicy: RefreshPolicy = { maxMs: 60_000, minMs: 5_000, perSecond: 30 };

export function refreshPeriodMs(policy: RefreshPolicy, restaurants: number): number {
  if (policy.maxMs <= 0) return 0;
  return Math.min(policy.maxMs, Math.max(policy.minMs, Math.ceil(restaurants / policy.perSecond) * 1000));
}

export class FiguresState {
  private current = new Map<string, Published>();
  private readonly policy: RefreshPolicy;
  private periodMs = 0;

  /** A number is a fixed period (0: every rolling change goes out the tick it happens). */
  constructor(refresh: RefreshPolicy | number = defaultRefreshPolicy) {
    this.policy = typeof refresh === 'number' ? { maxMs: refresh, minMs: refresh, perSecond: 1 } : refresh;
  }

  /** The refresh period of the last tick: what a snapshot tells viewers. */
  get refreshMs(): number {
    return this.periodMs;
  }

  apply(restaurants: readonly RestaurantFiguresWire[], now: number): TickChanges {
    this.periodMs = refreshPeriodMs(this.policy, restaurants.length);
    const changed: RestaurantPatchWire[] = [];
    const seen = new Set<string>();
    for (const source of restaurants) {
      if (seen.has(source.rid)) continue; // a source listing a restaurant twice: first one wins
      seen.add(source.rid);
      const prev = this.current.get(source.rid);
      if (prev !== undefined && prev.latest !== source) {
        prev.latest = source;
        prev.latestWire = null;
      }
      // Sources hand over immutable objects (see LiveSource): the same object is unchanged.
      if (prev !== undefined && prev.source === source) continue;
      const next = atWirePrecision(source);
      if (prev === undefined) {
        this.current.set(source.rid, { figures: next, source, refreshedAt: now - refreshPhase(source.rid, this.periodMs), latest: source, latestWire: next });
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
    const due = now - prev.refreshedAt >= this.periodMs;
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

  /**
   * A restaurant's figures as of the last tick at wire precision, rolling ones included even while
   * they wait for their refresh: what a viewer interested in it holds (see `summaryFigureFields`).
   */
  latest(rid: string): RestaurantFiguresWire | undefined {
    const entry = this.current.get(rid);
    if (!entry) return undefined;
    entry.latestWire ??= entry.latest === entry.source ? entry.figures : atWirePrecision(entry.latest);
    return entry.latestWire;
  }

  *values(): IterableIterator<RestaurantFiguresWire> {
    for (const entry of this.current.values()) yield entry.figures;
  }

  get size(): number {
    return this.current.size;
  }
}
