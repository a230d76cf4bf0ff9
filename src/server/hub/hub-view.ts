/**
 * What the REST API and the stream read of the hub's live state, in wire shapes (the terminal's is
 * the REST contract's, src/protocol/api.ts). The hub adapts core's fleet state to it once
 * (hub-fleet.ts), so the API handlers can be tested with a
 * hand-made view and never compute a figure themselves: every figure comes from src/core.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { TerminalWire } from '../../protocol/api.ts';
import type { FleetTotalsWire, RestaurantFiguresWire } from '../../protocol/live.ts';

/** Kept importable from here for the hub's modules; the shape is the API contract's. */
export type { TerminalWire };

export interface HubView {
  /** Every restaurant the hub knows (live or expected), with its figures at `now`. */
  restaurants(now: number): RestaurantFiguresWire[];
  /** Totals over the restaurants `inScope` accepts (fleet percentiles merge histograms). */
  totals(now: number, inScope: (rid: string) => boolean): FleetTotalsWire;
  restaurant(rid: string, now: number): RestaurantFiguresWire | undefined;
  /** The restaurant's terminals (connected or expected), empty when unknown. */
  terminals(rid: string, now: number): TerminalWire[];
  /**
   * The restaurants that have a terminal of this id, sorted (a terminal is `(rid, tid)`: tills are
   * named per restaurant, issue 18 item 3); empty when none. Not cut to any scope: callers do that.
   */
  terminalRestaurants(tid: string): readonly string[];
  /** Rollups of minutes not settled yet (the current one), for series that reach `now`. */
  openMinutes(rid: string | undefined, now: number): RestaurantMinute[];
}
