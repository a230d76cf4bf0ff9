/**
 * Every figure of DESIGN.md "What the numbers mean", computed once, here — for the live view from a
 * restaurant's rolling window (`computeFigures`), for totals over any set of restaurants
 * (`totals`), and for history from stored restaurant-minutes (`minuteFigures`). Pure: the caller
 * gathers the inputs (src/core/fleet-state.ts does for the live state) and passes `now`.
 *
 * Window: "the last minute" — counters over the last 60 s, percentiles over the last 50–60 s (see
 * fleet-state-window.ts). Rates are per minute: a count over a one-minute window is its own rate.
 */
import { posLimits } from '../protocol/pos-messages.ts';
import { errorTypes } from '../protocol/telemetry.ts';
import type { ErrorType } from '../protocol/telemetry.ts';
import type { LimitKind } from '../protocol/probe-events.ts';
import { decodeHistogram, Histogram } from './histogram.ts';
import type { HistSet, WindowView } from './fleet-state-window.ts';
import { WINDOW_MS } from './fleet-state-window.ts';
import { family } from './rollup.ts';
import type { Gauge, RestaurantMinute } from './rollup.ts';

export type RestaurantStatus = 'healthy' | 'degraded' | 'unhealthy' | 'offline' | 'unknown';
export const restaurantStatuses: readonly RestaurantStatus[] = ['unhealthy', 'offline', 'degraded', 'healthy', 'unknown'];

/**
 * The status rule of the live view, in one place. First match wins:
 *
 *   unknown    no terminal expected and none connected: nothing to judge by;
 *   offline    terminals expected, none connected;
 *   unhealthy  fewer than half of the expected terminals connected, or heartbeat success < 80 %,
 *              or a connected terminal silent ≥ 30 s, or a storm of errors in the last minute:
 *              more than one per expected terminal, and at least 3;
 *   degraded   an expected terminal missing, heartbeat success < 95 %, a connected terminal silent
 *              ≥ 20 s, or any error in the last minute;
 *   healthy    otherwise.
 *
 * Silence thresholds are the socket's (DESIGN.md: < 20 s healthy, < 30 s degraded). A server
 * restart (1001 to everyone: one error per terminal) degrades every restaurant for a minute: they
 * did lose their connections, and the view must not hide it — but it is not a storm, which is why
 * a storm takes more than one error per terminal.
 */
export const statusRule = {
  unhealthyConnectedShare: 0.5,
  unhealthyHeartbeatSuccess: 0.8,
  degradedHeartbeatSuccess: 0.95,
  unhealthyMinErrors: 3,
} as const;

/** The fewest errors in a minute that make a storm for a restaurant expecting `expected` terminals. */
export function stormErrors(expected: number): number {
  return Math.max(statusRule.unhealthyMinErrors, expected + 1);
}

export interface StatusInputs {
  expected: number;
  connectedTerminals: number;
  heartbeatSuccess: number | null;
  terminals: { healthy: number; degraded: number; unhealthy: number };
  errorsInWindow: number;
}

export function statusOf(i: StatusInputs): RestaurantStatus {
  if (i.expected === 0 && i.connectedTerminals === 0) return 'unknown';
  if (i.connectedTerminals === 0) return 'offline';
  const hb = i.heartbeatSuccess;
  if (
    i.connectedTerminals < i.expected * statusRule.unhealthyConnectedShare ||
    (hb !== null && hb < statusRule.unhealthyHeartbeatSuccess) ||
    i.terminals.unhealthy > 0 ||
    i.errorsInWindow >= stormErrors(i.expected)
  ) {
    return 'unhealthy';
  }
  if (i.connectedTerminals < i.expected || (hb !== null && hb < statusRule.degradedHeartbeatSuccess) || i.terminals.degraded > 0 || i.errorsInWindow > 0) {
    return 'degraded';
  }
  return 'healthy';
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface DurationFigures {
  mean: number;
  p50: number;
  p95: number;
}

/**
 * The figures a restaurant and the fleet totals both have, over the same window: written once, so
 * a figure added here is a figure of both (`totals` sums or merges each one).
 * Times in ms, rates per minute, shares in [0, 1].
 */
export interface WindowFigures {
  /** Authenticated open connections now. */
  connections: number;
  /** Terminals with at least one open connection now ("12 / 14 connected"). */
  connectedTerminals: number;
  /** Terminals seen in the last 7 days. */
  expected: number;
  opens: number;
  reconnects: number;
  reconnectsPerMin: number;
  heartbeats: { onTime: number; late: number; expected: number };
  /**
   * On-time heartbeats / expected heartbeats (one per heartbeat interval, plus grace, that ran out
   * while a terminal was connected: see fleet-state.ts); null when none expected.
   */
  heartbeatSuccess: number | null;
  rttMs: Percentiles | null;
  deliveryMs: Percentiles | null;
  /** Connections closed in the last minute. */
  durationMs: DurationFigures | null;
  /** Errors by type in the last minute (types with none left out), and their sum per minute. */
  errors: Partial<Record<ErrorType, number>>;
  errorsPerMin: number;
  /** Terminal-time over the last minute, ms: what stability is made of. */
  terminalTime: { connectedMs: number; healthyMs: number; expectedMs: number };
  /** Share of expected terminal-time connected and healthy; null when nothing was expected. */
  stability: number | null;
}

/** One restaurant's live figures: the window's (above), and what only a restaurant has. */
export interface RestaurantFigures extends WindowFigures {
  rid: string;
  /** The hub time these figures are for. */
  at: number;
  status: RestaurantStatus;
  /** The connections gauge over the last minute. */
  connectionsGauge: Gauge;
  /** Connected terminals by silence: < 20 s, < 30 s, ≥ 30 s since their last heartbeat (or open). */
  terminals: { healthy: number; degraded: number; unhealthy: number };
  /** Closes in the last minute by close code. */
  closes: Record<string, number>;
  /** Age of the connections open now. */
  openAgeMs: { mean: number; max: number } | null;
  limits: Partial<Record<LimitKind, number>>;
  traffic: { msgIn: number; msgOut: number; bytesIn: number; bytesOut: number };
  /** Counters of the last whole second alone (keys as in rollup.ts), e.g. `{ opens: 1, 'closes.1006': 1 }`. */
  lastSecond: Record<string, number>;
  /**
   * The window's histograms, so `totals` can merge them. Live objects: read, never write. Their
   * `toJSON` is a summary, but send `wireFigures(f)` rather than this object.
   */
  histograms: HistSet;
}

export interface FigureInputs {
  rid: string;
  now: number;
  view: WindowView;
  connections: number;
  connectedTerminals: number;
  expected: number;
  terminals: { healthy: number; degraded: number; unhealthy: number };
  /** Open times of the connections open now. */
  openSince: readonly number[];
}

const n = (counters: Readonly<Record<string, number>>, key: string) => counters[key] ?? 0;
const share = (num: number, den: number) => (den > 0 ? Math.min(1, num / den) : null);

export function percentilesOf(h: Histogram): Percentiles | null {
  if (h.count === 0) return null;
  return { p50: h.percentile(50) as number, p95: h.percentile(95) as number, p99: h.percentile(99) as number };
}

export function durationOf(h: Histogram): DurationFigures | null {
  if (h.count === 0) return null;
  return { mean: h.mean as number, p50: h.percentile(50) as number, p95: h.percentile(95) as number };
}

function errorsOf(counters: Readonly<Record<string, number>>): { errors: Partial<Record<ErrorType, number>>; total: number } {
  const errors: Partial<Record<ErrorType, number>> = {};
  let total = 0;
  for (const type of errorTypes) {
    const c = n(counters, `errors.${type}`);
    if (c > 0) {
      errors[type] = c;
      total += c;
    }
  }
  return { errors, total };
}

export function computeFigures(i: FigureInputs): RestaurantFigures {
  const c = i.view.counters;
  const connectedMs = n(c, 'connectedMs');
  const healthyMs = n(c, 'healthyMs');
  const expectedMs = n(c, 'expectedMs');
  const expectedBeats = n(c, 'hbExpected');
  const onTime = n(c, 'hbOnTime');
  const heartbeatSuccess = share(onTime, expectedBeats);
  const { errors, total } = errorsOf(c);
  const perMin = (count: number) => (count * 60_000) / WINDOW_MS;
  let ageSum = 0;
  let ageMax = 0;
  for (const since of i.openSince) {
    const age = Math.max(0, i.now - since);
    ageSum += age;
    if (age > ageMax) ageMax = age;
  }
  const g = i.view.connections;
  return {
    rid: i.rid,
    at: i.now,
    status: statusOf({ expected: i.expected, connectedTerminals: i.connectedTerminals, heartbeatSuccess, terminals: i.terminals, errorsInWindow: total }),
    connections: i.connections,
    connectionsGauge: { last: i.connections, min: Math.min(g?.min ?? i.connections, i.connections), max: Math.max(g?.max ?? i.connections, i.connections) },
    connectedTerminals: i.connectedTerminals,
    expected: i.expected,
    terminals: { ...i.terminals },
    opens: n(c, 'opens'),
    closes: family(c, 'closes'),
    reconnects: n(c, 'reconnects'),
    reconnectsPerMin: perMin(n(c, 'reconnects')),
    heartbeats: { onTime, late: n(c, 'hbLate'), expected: expectedBeats },
    heartbeatSuccess,
    rttMs: percentilesOf(i.view.hist.rtt),
    deliveryMs: percentilesOf(i.view.hist.latency),
    durationMs: durationOf(i.view.hist.duration),
    openAgeMs: i.openSince.length > 0 ? { mean: ageSum / i.openSince.length, max: ageMax } : null,
    errors,
    errorsPerMin: perMin(total),
    limits: family(c, 'limits') as Partial<Record<LimitKind, number>>,
    traffic: { msgIn: n(c, 'msgIn'), msgOut: n(c, 'msgOut'), bytesIn: n(c, 'bytesIn'), bytesOut: n(c, 'bytesOut') },
    lastSecond: i.view.lastSecond,
    terminalTime: { connectedMs, healthyMs, expectedMs },
    stability: share(healthyMs, expectedMs),
    histograms: i.view.hist,
  };
}

/** Fleet totals over the given restaurants (filter first to scope a viewer: a manager's totals are theirs only). */
export interface FleetTotals extends WindowFigures {
  at: number;
  restaurants: number;
  byStatus: Record<RestaurantStatus, number>;
  /** Merged window histograms (fresh objects, owned by the caller). */
  histograms: Record<'rtt' | 'latency' | 'duration', Histogram>;
}

export function totals(figures: readonly RestaurantFigures[], at = figures[0]?.at ?? 0): FleetTotals {
  const byStatus: Record<RestaurantStatus, number> = { healthy: 0, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 };
  const hist = { rtt: new Histogram(), latency: new Histogram(), duration: new Histogram() };
  const errors: Partial<Record<ErrorType, number>> = {};
  const sum = { connections: 0, connectedTerminals: 0, expected: 0, opens: 0, reconnects: 0, reconnectsPerMin: 0, errorsPerMin: 0 };
  const beats = { onTime: 0, late: 0, expected: 0 };
  const time = { connectedMs: 0, healthyMs: 0, expectedMs: 0 };
  for (const f of figures) {
    byStatus[f.status]++;
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += f[key];
    beats.onTime += f.heartbeats.onTime;
    beats.late += f.heartbeats.late;
    beats.expected += f.heartbeats.expected;
    time.connectedMs += f.terminalTime.connectedMs;
    time.healthyMs += f.terminalTime.healthyMs;
    time.expectedMs += f.terminalTime.expectedMs;
    for (const type in f.errors) errors[type as ErrorType] = (errors[type as ErrorType] ?? 0) + (f.errors[type as ErrorType] ?? 0);
    hist.rtt.merge(f.histograms.rtt);
    hist.latency.merge(f.histograms.latency);
    hist.duration.merge(f.histograms.duration);
  }
  return {
    at,
    restaurants: figures.length,
    byStatus,
    ...sum,
    heartbeats: beats,
    heartbeatSuccess: share(beats.onTime, beats.expected),
    rttMs: percentilesOf(hist.rtt),
    deliveryMs: percentilesOf(hist.latency),
    durationMs: durationOf(hist.duration),
    errors,
    terminalTime: time,
    stability: share(time.healthyMs, time.expectedMs),
    histograms: hist,
  };
}

/** Figures without their live histograms: what goes on the wire. */
export function wireFigures(f: RestaurantFigures): Omit<RestaurantFigures, 'histograms'> {
  const { histograms: _histograms, ...rest } = f;
  return rest;
}

/** The figures of one stored bucket (a restaurant-minute, or several merged by `mergeMinutes`). */
export interface MinuteFigures {
  minute: number;
  connections: Gauge | null;
  expected: number | null;
  opens: number;
  closes: Record<string, number>;
  reconnects: number;
  heartbeatSuccess: number | null;
  rttMs: Percentiles | null;
  deliveryMs: Percentiles | null;
  durationMs: DurationFigures | null;
  errors: Partial<Record<ErrorType, number>>;
  errorsTotal: number;
  stability: number | null;
}

/**
 * Expected heartbeats of a stored bucket. Minutes written before `hbExpected` existed only know
 * their connected time: for them, connected time ÷ the default interval, as it was then defined.
 */
function expectedBeatsOf(c: Readonly<Record<string, number>>): number {
  return c.hbExpected !== undefined ? c.hbExpected : n(c, 'connectedMs') / posLimits.heartbeatIntervalMs;
}

export function minuteFigures(m: RestaurantMinute): MinuteFigures {
  const c = m.counters;
  const hist = (key: string) => {
    const text = m.histograms[key];
    return (text === undefined ? null : decodeHistogram(text, 64)) ?? new Histogram();
  };
  const { errors, total } = errorsOf(c);
  return {
    minute: m.minute,
    connections: m.gauges.connections ?? null,
    expected: m.gauges.expected?.last ?? null,
    opens: n(c, 'opens'),
    closes: family(c, 'closes'),
    reconnects: n(c, 'reconnects'),
    heartbeatSuccess: share(n(c, 'hbOnTime'), expectedBeatsOf(c)),
    rttMs: percentilesOf(hist('rtt')),
    deliveryMs: percentilesOf(hist('latency')),
    durationMs: durationOf(hist('duration')),
    errors,
    errorsTotal: total,
    stability: share(n(c, 'healthyMs'), n(c, 'expectedMs')),
  };
}
