/**
 * What the dashboard stream reads from the hub: the fleet's figures once per tick and the
 * lifecycle events since the last tick. The hub wiring adapts fleet-state to this; tests hand-feed
 * it. Keeping it this narrow is what lets the stream be tested without gateways or a bus.
 *
 * Why `sample(now)` hands back a `totals` function instead of the stream summing wire figures:
 * fleet percentiles cannot be derived from per-restaurant p95s; only the source holds the
 * mergeable histograms. A manager's totals cover their restaurants only, so the stream asks for
 * totals over any subset. An adapter over core/figures.ts looks like:
 *
 *   sample(now) {
 *     const figures = fleet.restaurants().map((r) => figuresOf(r, now));
 *     return {
 *       restaurants: figures.map(toRestaurantWire),
 *       totals: (inScope) => toTotalsWire(totals(figures.filter((f) => inScope(f.rid)))),
 *     };
 *   }
 */
import type { FleetTotalsWire, RestaurantFiguresWire } from '../../../protocol/live.ts';
import type { LifecycleEvent } from '../../../protocol/telemetry.ts';

export interface LiveSample {
  /**
   * Every restaurant's current figures; a restaurant missing here is reported as removed. The
   * stream keeps these objects in its history and may skip diffing one it has seen before, so a
   * source must never mutate an object after handing it over (build a new one when figures move).
   */
  readonly restaurants: readonly RestaurantFiguresWire[];
  /** Totals over the restaurants `inScope` accepts, computed from this same sample. */
  totals(inScope: (rid: string) => boolean): FleetTotalsWire;
}

export interface LiveSource {
  /** Called once per tick; must not block (no I/O): the tick never awaits. */
  sample(now: number): LiveSample;
  /** Lifecycle events (open, close, auth failure, limit) since the previous call, oldest first. */
  drainLifecycle(): LifecycleEvent[];
  /**
   * The restaurants with a terminal of this id (terminal ids are per restaurant), for resolving a
   * `watch_terminal` that names no restaurant; empty if unknown to the hub.
   */
  terminalRestaurants(tid: string): readonly string[];
}
