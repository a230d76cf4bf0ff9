/**
 * What the REST API and the stream read of the hub's live state, in wire shapes. The hub adapts
 * core's fleet state to it once (hub-view-adapter.ts), so the API handlers can be tested with a
 * hand-made view and never compute a figure themselves: every figure comes from src/core.
 */
import type { RestaurantMinute } from '../../core/rollup.ts';
import type { FleetTotalsWire, HealthStatus, RestaurantFiguresWire } from '../../protocol/live.ts';

export type TerminalWire = {
  tid: string;
  rid: string;
  state: 'connected' | 'disconnected';
  health: HealthStatus;
  /** When the current connection opened (ms since epoch); null when disconnected. */
  connectedSince: number | null;
  /** When the last connection closed; null while connected or when never seen closing. */
  disconnectedAt: number | null;
  /** When its last heartbeat arrived at the gateway (ms since epoch); null when none yet. */
  lastHeartbeatAt: number | null;
  /** The RTT the terminal reported with its last heartbeat, ms; null when it has not sent one. */
  rttMs: number | null;
  /** How its last connection ended; null when this hub has not seen one end. */
  lastClose: { t: number; code: number; cause: string; reason: string } | null;
};

export interface HubView {
  /** Every restaurant the hub knows (live or expected), with its figures at `now`. */
  restaurants(now: number): RestaurantFiguresWire[];
  /** Totals over the restaurants `inScope` accepts (fleet percentiles merge histograms). */
  totals(now: number, inScope: (rid: string) => boolean): FleetTotalsWire;
  restaurant(rid: string, now: number): RestaurantFiguresWire | undefined;
  /** The restaurant's terminals (connected or expected), empty when unknown. */
  terminals(rid: string, now: number): TerminalWire[];
  terminalRestaurant(tid: string): string | undefined;
  /** Rollups of minutes not settled yet (the current one), for series that reach `now`. */
  openMinutes(rid: string | undefined, now: number): RestaurantMinute[];
}
