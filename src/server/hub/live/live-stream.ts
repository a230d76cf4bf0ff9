/**
 * The stream's data side, without sockets: one tick samples the fleet once, diffs it against the
 * previous tick, totals it for every scope that may need it, and keeps the unfiltered delta in a
 * bounded history. Viewers get frames cut from it by scope (snapshot, delta, replay). The server
 * (live-server.ts) owns sockets and timers and asks this for frames.
 */
import type { DeltaFrame, FleetTotalsWire, LiveEvent, RestaurantFiguresWire, SnapshotFrame, StreamPosition, TerminalEventsFrame } from '../../../protocol/live.ts';
import { isFeedEvent, numberEvent } from './live-events.ts';
import type { LiveSample, LiveSource } from './live-source.ts';
import { ScopeRegistry } from './scope-registry.ts';
import { deltaFor, emptyTotals, eventInScope, isOf, snapshotFor, terminalEventsFor } from './scoped-frames.ts';
import { StreamHistory, type TickEntry } from './stream-history.ts';
import { FiguresState, type RefreshPolicy } from './tick-diff.ts';
import type { Scope } from './viewer-scope.ts';

export interface LiveStreamOptions {
  epoch: string;
  source: LiveSource;
  tickMs: number;
  /** How long a changing rolling figure may wait to be sent (see tick-diff.ts); a number is fixed, 0 = every tick. */
  refresh: RefreshPolicy | number;
  historyFrames: number;
  historyMaxWeight: number;
  maxFeedEvents: number;
  /** Told when the source throws; the tick is then skipped (no seq is used up). */
  onSourceError: (error: unknown, during: 'tick' | 'totals') => void;
}

export class LiveStream {
  readonly epoch: string;
  readonly scopes: ScopeRegistry;
  private readonly state: FiguresState;
  private readonly history: StreamHistory;
  private current = 0;
  private nextEventId = 0;
  private lastSample: LiveSample | undefined;
  private lastT: number;
  /** Totals for snapshots of scopes the last tick did not total (a manager's first connection). */
  private readonly snapshotTotals = new Map<string, FleetTotalsWire>();

  constructor(
    private readonly options: LiveStreamOptions,
    now: number,
  ) {
    this.epoch = options.epoch;
    this.state = new FiguresState(options.refresh);
    this.history = new StreamHistory(options.historyFrames, options.historyMaxWeight);
    this.scopes = new ScopeRegistry(options.historyFrames);
    this.lastT = now;
    // The first sample is the state the first snapshots show (seq 0); its events wait for tick 1.
    try {
      this.lastSample = options.source.sample(now);
      this.state.apply(this.lastSample.restaurants, now);
    } catch (error) {
      options.onSourceError(error, 'tick');
    }
  }

  get seq(): number {
    return this.current;
  }

  get historyLength(): number {
    return this.history.length;
  }

  /** Advances one seq, or returns null (and advances nothing) when the source failed. */
  tick(now: number): TickEntry | null {
    const { source } = this.options;
    let entry: TickEntry;
    try {
      const sample = source.sample(now);
      const totals = new Map<string, FleetTotalsWire>();
      for (const scope of this.scopes.active(this.current + 1)) totals.set(scope.key, sample.totals(scope.includes));
      const lifecycle = source.drainLifecycle();
      const { changed, removed } = this.state.apply(sample.restaurants, now);
      const events = lifecycle.filter(isFeedEvent).map((e) => numberEvent(e, this.nextEventId++));
      entry = { seq: this.current + 1, t: now, changed, removed, events, totals, refreshMs: this.state.refreshMs };
      this.lastSample = sample;
    } catch (error) {
      this.options.onSourceError(error, 'tick');
      return null;
    }
    this.current = entry.seq;
    this.lastT = now;
    this.snapshotTotals.clear();
    this.history.push(entry);
    return entry;
  }

  /** A restaurant's current figures (rolling ones too, see FiguresState.latest), for interest. */
  readonly latest = (rid: string): RestaurantFiguresWire | undefined => this.state.latest(rid);

  /** Null when the entry has no totals for the scope (it was not registered): send a snapshot. */
  delta(entry: TickEntry, scope: Scope): DeltaFrame | null {
    return deltaFor(this.epoch, entry, scope, this.options.maxFeedEvents);
  }

  /**
   * `role`: the viewer's own. Support and engineers share the whole-fleet scope (one totals call a
   * tick), registered as support, so the scope's wire form alone would tell an engineer "support".
   */
  snapshot(scope: Scope, role: Scope['wire']['role'] = scope.wire.role): SnapshotFrame {
    const { options } = this;
    const frame = snapshotFor({
      epoch: this.epoch,
      seq: this.current,
      t: this.lastT,
      tickMs: options.tickMs,
      refreshMs: this.state.refreshMs,
      historyFrames: options.historyFrames,
      scope,
      restaurants: this.state.values(),
      totals: this.totalsNow(scope),
      events: this.history.recentEvents((e) => eventInScope(scope, e), options.maxFeedEvents),
    });
    return role === scope.wire.role ? frame : { ...frame, scope: { ...frame.scope, role } };
  }

  /**
   * The deltas after `since`, cut to the scope, or null when they cannot all be given (another
   * epoch, past the history, from the future, or a tick that did not total this scope).
   */
  replay(scope: Scope, since: StreamPosition): DeltaFrame[] | null {
    if (since.epoch !== this.epoch) return null;
    const entries = this.history.after(since.seq, this.current);
    if (!entries) return null;
    const frames: DeltaFrame[] = [];
    for (const e of entries) {
      const frame = this.delta(e, scope);
      if (!frame) return null;
      frames.push(frame);
    }
    return frames;
  }

  /** A terminal's events of one tick (live) or still in the history (`initial`, on watch). */
  terminalEvents(scope: Scope, terminal: { rid: string | undefined; tid: string }, position: number, events?: readonly LiveEvent[]): TerminalEventsFrame {
    const from = events ?? this.history.recentEvents((e) => isOf(terminal, e), this.options.maxFeedEvents);
    return terminalEventsFor(this.epoch, position, scope, terminal, from, events === undefined);
  }

  private totalsNow(scope: Scope): FleetTotalsWire {
    const latest = this.history.latest();
    const fromTick = latest?.seq === this.current ? latest.totals.get(scope.key) : undefined;
    if (fromTick) return fromTick;
    let totals = this.snapshotTotals.get(scope.key);
    if (!totals) {
      try {
        totals = this.lastSample ? this.lastSample.totals(scope.includes) : emptyTotals();
      } catch (error) {
        this.options.onSourceError(error, 'totals');
        totals = emptyTotals();
      }
      this.snapshotTotals.set(scope.key, totals);
    }
    return totals;
  }
}
