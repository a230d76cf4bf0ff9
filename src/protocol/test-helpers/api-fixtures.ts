/**
 * Literal `/api` answers for tests (src/protocol/api.ts): whole, valid shapes with small overrides,
 * so a test says only what it is about and still feeds the SPA what the hub could send.
 */
import type { EventsPageAnswer, FleetSeriesAnswer, RestaurantAnswer, RestaurantSeriesAnswer, SeriesPoint, TerminalWire, TimelinePolicyWire } from '../api.ts';
import { figures } from './live-fixtures.ts';

export const fixtureT = 1_700_000_000_000;

export function terminalWire(tid: string, over: Partial<TerminalWire> = {}): TerminalWire {
  return {
    tid,
    rid: 'r-001',
    state: 'connected',
    health: 'healthy',
    connectedSince: fixtureT,
    disconnectedAt: null,
    lastHeartbeatAt: fixtureT + 1000,
    rttMs: 20,
    lastClose: null,
    ...over,
  };
}

export function restaurantAnswer(terminals: TerminalWire[], over: Partial<RestaurantAnswer> = {}): RestaurantAnswer {
  return { t: fixtureT, restaurant: figures('r-001'), terminals, ...over };
}

/** A bucket with data: one minute, four connections, nothing went wrong. */
export function seriesPoint(t: number, over: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    t,
    minutes: 1,
    connections: { last: 4, min: 4, max: 4 },
    expected: 4,
    opens: 0,
    reconnects: 0,
    reconnectsPerMin: 0,
    closes: {},
    errors: {},
    errorsPerMin: 0,
    limits: {},
    heartbeatsOnTime: 16,
    heartbeatsLate: 0,
    heartbeatSuccess: 1,
    rttMs: { p50: 20, p95: 40, p99: 60 },
    deliveryMs: null,
    durationMs: null,
    stability: 1,
    connectedMs: 240_000,
    healthyMs: 240_000,
    expectedMs: 240_000,
    msgIn: 16,
    msgOut: 16,
    bytesIn: 1600,
    bytesOut: 1600,
    ...over,
  };
}

export function restaurantSeriesAnswer(points: SeriesPoint[], over: Partial<RestaurantSeriesAnswer> = {}): RestaurantSeriesAnswer {
  return { rid: 'r-001', from: fixtureT - 3_600_000, to: fixtureT, bucketMs: 60_000, points, total: seriesPoint(fixtureT - 3_600_000), ...over };
}

export function fleetSeriesAnswer(points: SeriesPoint[], over: Partial<FleetSeriesAnswer> = {}): FleetSeriesAnswer {
  return { from: fixtureT - 3_600_000, to: fixtureT, bucketMs: 60_000, restaurants: 2, points, total: seriesPoint(fixtureT - 3_600_000), ...over };
}

/** DESIGN.md's rules, as the hub states them by default. */
export const defaultPolicyWire: TimelinePolicyWire = { heartbeatIntervalMs: 15_000, graceMs: 5000, stableAfterMs: 15_000, backoffBaseMs: 2000, backoffCapMs: 64_000 };

export function eventsPage(over: Partial<EventsPageAnswer> = {}): EventsPageAnswer {
  return { tid: 't1', rid: 'r-001', from: fixtureT - 3_600_000, to: fixtureT, events: [], more: false, policy: defaultPolicyWire, ...over };
}
