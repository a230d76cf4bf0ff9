/**
 * The last ticks' deltas, unfiltered, so a reconnecting viewer can be replayed what it missed.
 * Bounded twice: by frames (how far back a resume reaches) and by weight (restaurants + events
 * held), so a churning fleet cannot turn five minutes of history into gigabytes. Past either
 * bound a resume gets a snapshot instead, which is always correct, only larger.
 */
import type { FleetTotalsWire, LiveEvent, RestaurantPatchWire } from '../../../protocol/live.ts';

export interface TickEntry {
  seq: number;
  t: number;
  changed: readonly RestaurantPatchWire[];
  removed: readonly string[];
  events: readonly LiveEvent[];
  /** The rolling figures' refresh period at this tick. */
  refreshMs: number;
  /** Totals per scope key, computed at tick time for every scope a viewer had (or recently had):
   *  the past totals of a subset cannot be rebuilt later from the current state. */
  totals: ReadonlyMap<string, FleetTotalsWire>;
}

const weightOf = (e: TickEntry): number => 1 + e.changed.length + e.removed.length + e.events.length;

export class StreamHistory {
  private entries: TickEntry[] = [];
  private weight = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxWeight: number,
  ) {}

  push(entry: TickEntry): void {
    const last = this.entries.at(-1);
    if (last && entry.seq !== last.seq + 1) throw new Error(`history seq ${entry.seq} does not follow ${last.seq}`);
    this.entries.push(entry);
    this.weight += weightOf(entry);
    while (this.entries.length > 1 && (this.entries.length > this.maxFrames || this.weight > this.maxWeight)) {
      this.weight -= weightOf(this.entries.shift()!);
    }
    if (this.maxFrames === 0) this.clear();
  }

  /**
   * Every entry after `since` up to `current`, or null when some of them are gone (or `since` is
   * from the future). An empty array means the viewer is already up to date.
   */
  after(since: number, current: number): TickEntry[] | null {
    if (!Number.isInteger(since) || since > current || since < 0) return null;
    if (since === current) return [];
    const first = this.entries[0];
    if (!first || first.seq > since + 1) return null;
    const out = this.entries.slice(since + 1 - first.seq);
    return out.length === current - since ? out : null;
  }

  /** The newest `limit` events `keep` accepts, oldest first. */
  recentEvents(keep: (e: LiveEvent) => boolean, limit: number): LiveEvent[] {
    const out: LiveEvent[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const events = this.entries[i]!.events;
      for (let j = events.length - 1; j >= 0 && out.length < limit; j--) {
        if (keep(events[j]!)) out.push(events[j]!);
      }
    }
    return out.reverse();
  }

  latest(): TickEntry | undefined {
    return this.entries.at(-1);
  }

  get length(): number {
    return this.entries.length;
  }

  private clear(): void {
    this.entries = [];
    this.weight = 0;
  }
}
