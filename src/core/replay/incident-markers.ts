/**
 * Incident markers: the moments of a stored window worth jumping to on the replay timeline, found
 * in what the store keeps — restaurant-minutes (src/core/rollup.ts) and lifecycle events
 * (src/protocol/telemetry.ts). Pure: the caller reads the store and passes rows and events, already
 * cut to the viewer's scope, so a fleet-wide marker is computed over that scope.
 *
 * Kinds, each per restaurant and for the fleet (the sum of the rows given) unless said otherwise:
 * - `connections_drop`: connections fell by ≥ `dropShare` within a minute — from the previous
 *   minute's last value to this minute's lowest (a restaurant's `connections` gauge min is exact;
 *   the fleet's is the sum of the restaurants' last values, as their minima need not coincide;
 *   both over the restaurants stored in both minutes, so one new or quiet restaurant is no fall).
 * - `reconnect_storm`: reconnects in a minute ≥ `stormShare` of the connections before it, and at
 *   least `stormMin`.
 * - `auth_spike`: refused tokens (4001) in a minute ≥ `authSpikeMin`; fleet only, from the unplaced
 *   `auth_fail` events (their claims are unverified, so no restaurant's).
 * - `heartbeat_low`: on-time share of expected heartbeats under `heartbeatFloor`.
 * - `gateway_lost`: a gateway fell silent past the hub's timeout and the hub closed its connections
 *   (`gateway_lost` closes, src/core/fleet-state.ts `closeLost`); one marker per gateway and loss,
 *   at the first such close, in the fleet's scope (the closes are cut to the viewer's restaurants).
 * - `hub_gap`: whole minutes between two stored minutes with no row at all; fleet only.
 *
 * Minutes in a row of one kind and scope make one marker (`until` = the end of the last), so a
 * ten-minute silence is one jump, not ten.
 */
import type { RestaurantMinute } from '../rollup.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { markerKinds } from '../../protocol/replay.ts';

export { markerKinds };

const MINUTE_MS = 60_000;

/** The kinds are the wire's (src/protocol/replay.ts): one list, so a new kind changes both. */
export type MarkerKind = (typeof markerKinds)[number];

export interface IncidentMarker {
  /** Where to jump: the first close of the scope in the minute for a drop, else the minute's start. */
  t: number;
  /** End of the last minute of the run (exclusive). */
  until: number;
  kind: MarkerKind;
  /** `'fleet'` or a restaurant id. */
  scope: string;
  description: string;
}

export interface MarkerPolicy {
  dropShare: number;
  stormShare: number;
  stormMin: number;
  authSpikeMin: number;
  heartbeatFloor: number;
}

export const defaultMarkerPolicy: MarkerPolicy = { dropShare: 0.1, stormShare: 0.2, stormMin: 5, authSpikeMin: 10, heartbeatFloor: 0.9 };

export interface MarkerInput {
  minutes: readonly RestaurantMinute[];
  events: readonly LifecycleEvent[];
  /** The window, half-open, in ms; minutes starting in it are judged. */
  from: number;
  to: number;
}

/** A scope's minute, summed over its restaurants. */
interface ScopeMinute {
  minute: number;
  /** Connections before the minute (the previous minute's last), of the restaurants stored in both; undefined if none. */
  before: number | undefined;
  /** The lowest within the minute, of the same restaurants. */
  low: number;
  reconnects: number;
  hbOnTime: number;
  hbExpected: number;
}

type Hit = { minute: number; t: number; text: string };

export function findIncidentMarkers(input: MarkerInput, policy: MarkerPolicy = defaultMarkerPolicy): IncidentMarker[] {
  // Per restaurant, its rows by minute number (rows' minutes are floored, so whole): the previous
  // minute of each row is one lookup.
  const stored = new Map<string, Map<number, RestaurantMinute>>();
  for (const m of input.minutes) {
    let rows = stored.get(m.rid);
    if (!rows) stored.set(m.rid, (rows = new Map()));
    rows.set(m.minute / MINUTE_MS, m);
  }
  const byScope = new Map<string, Map<number, ScopeMinute>>();
  const fleet = new Map<number, ScopeMinute>();
  const add = (rows: Map<number, ScopeMinute>, m: RestaurantMinute, prev: RestaurantMinute | undefined, low: number) => {
    let s = rows.get(m.minute / MINUTE_MS);
    if (!s) rows.set(m.minute / MINUTE_MS, (s = { minute: m.minute, before: undefined, low: 0, reconnects: 0, hbOnTime: 0, hbExpected: 0 }));
    // A restaurant with no row the minute before (new, or quiet) adds nothing to the level: the
    // fleet compared with one restaurant fewer would seem to fall.
    if (prev) {
      s.before = (s.before ?? 0) + lastOf(prev);
      s.low += low;
    }
    s.reconnects += m.counters.reconnects ?? 0;
    s.hbOnTime += m.counters.hbOnTime ?? 0;
    s.hbExpected += m.counters.hbExpected ?? 0;
  };
  for (const [rid, rows] of stored) {
    const own = new Map<number, ScopeMinute>();
    byScope.set(rid, own);
    for (const m of rows.values()) {
      const prev = rows.get(m.minute / MINUTE_MS - 1);
      add(own, m, prev, m.gauges.connections?.min ?? lastOf(m));
      add(fleet, m, prev, lastOf(m));
    }
  }
  if (fleet.size > 0) byScope.set('fleet', fleet);
  const firstClose = firstClosesByScopeMinute(input.events);
  const markers: IncidentMarker[] = [];
  for (const [scope, rows] of byScope) {
    const drops: Hit[] = [];
    const storms: Hit[] = [];
    const lows: Hit[] = [];
    for (const s of rows.values()) {
      if (s.minute < input.from || s.minute >= input.to) continue;
      const { before, low } = s;
      if (before !== undefined && before > 0 && (before - low) / before >= policy.dropShare) {
        const t = firstClose.get(`${scope}@${s.minute}`) ?? s.minute;
        drops.push({ minute: s.minute, t, text: `${scope}: connections fell ${before} → ${low} (−${pct((before - low) / before)}) within a minute` });
      }
      if (s.reconnects >= policy.stormMin && s.reconnects >= policy.stormShare * (before ?? 0)) {
        storms.push({ minute: s.minute, t: s.minute, text: `${scope}: reconnect storm, ${s.reconnects} reconnects in a minute (${before ?? 0} connections before)` });
      }
      if (s.hbExpected > 0 && s.hbOnTime / s.hbExpected < policy.heartbeatFloor) {
        lows.push({ minute: s.minute, t: s.minute, text: `${scope}: heartbeat success ${pct(Math.min(1, s.hbOnTime / s.hbExpected))} (${s.hbOnTime} of ${s.hbExpected} on time)` });
      }
    }
    markers.push(...runs('connections_drop', scope, drops), ...runs('reconnect_storm', scope, storms), ...runs('heartbeat_low', scope, lows));
  }
  markers.push(...authSpikes(input, policy), ...gatewaysLost(input), ...hubGaps(input));
  return markers.sort((a, b) => a.t - b.t || a.kind.localeCompare(b.kind) || a.scope.localeCompare(b.scope));
}

function lastOf(m: RestaurantMinute): number {
  return m.gauges.connections?.last ?? 0;
}

/** The first authenticated close of each scope (restaurant and fleet) in each minute. */
function firstClosesByScopeMinute(events: readonly LifecycleEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'close') continue;
    const minute = Math.floor(e.t / MINUTE_MS) * MINUTE_MS;
    for (const key of [`${e.rid}@${minute}`, `fleet@${minute}`]) if (!(e.t >= (out.get(key) ?? Infinity))) out.set(key, e.t);
  }
  return out;
}

function authSpikes(input: MarkerInput, policy: MarkerPolicy): IncidentMarker[] {
  const perMinute = new Map<number, { first: number; count: number; reasons: Map<string, number> }>();
  for (const e of input.events) {
    if (e.type !== 'auth_fail' || e.t < input.from || e.t >= input.to) continue;
    const minute = Math.floor(e.t / MINUTE_MS) * MINUTE_MS;
    const m = perMinute.get(minute) ?? { first: e.t, count: 0, reasons: new Map<string, number>() };
    m.count++;
    m.first = Math.min(m.first, e.t);
    m.reasons.set(e.reason, (m.reasons.get(e.reason) ?? 0) + 1);
    perMinute.set(minute, m);
  }
  const hits: Hit[] = [];
  for (const [minute, m] of [...perMinute].sort((a, b) => a[0] - b[0])) {
    if (m.count < policy.authSpikeMin) continue;
    const [reason] = [...m.reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['?'];
    hits.push({ minute, t: m.first, text: `fleet: ${m.count} refused tokens (4001) in a minute, mostly ${reason}` });
  }
  return runs('auth_spike', 'fleet', hits);
}

/**
 * The hub closes every connection of a lost gateway at the gateway's last frame, all at one time:
 * the closes of one gateway within a minute of each other are one loss.
 */
function gatewaysLost(input: MarkerInput): IncidentMarker[] {
  const losses = new Map<string, { t: number; last: number; conns: number; rids: Set<string> }[]>();
  for (const e of [...input.events].sort((a, b) => a.t - b.t)) {
    if (e.type !== 'close' || e.cause !== 'gateway_lost' || e.t < input.from || e.t >= input.to) continue;
    const list = losses.get(e.gw) ?? [];
    losses.set(e.gw, list);
    let loss = list.at(-1);
    if (loss === undefined || e.t - loss.last >= MINUTE_MS) list.push((loss = { t: e.t, last: e.t, conns: 0, rids: new Set() }));
    loss.last = e.t;
    loss.conns++;
    loss.rids.add(e.rid);
  }
  const out: IncidentMarker[] = [];
  for (const [gw, list] of losses) {
    for (const l of list) {
      const rids = l.rids.size;
      const description = `fleet: gateway ${gw} lost, ${l.conns} connection${l.conns === 1 ? '' : 's'} of ${rids} restaurant${rids === 1 ? '' : 's'} closed by the hub`;
      out.push({ t: l.t, until: Math.floor(l.last / MINUTE_MS) * MINUTE_MS + MINUTE_MS, kind: 'gateway_lost', scope: 'fleet', description });
    }
  }
  return out;
}

/** Minutes with no stored row at all between two that have one: the hub was not writing. */
function hubGaps(input: MarkerInput): IncidentMarker[] {
  const stored = [...new Set(input.minutes.map((m) => m.minute))].filter((m) => m >= input.from && m < input.to).sort((a, b) => a - b);
  const out: IncidentMarker[] = [];
  for (let i = 1; i < stored.length; i++) {
    const [prev, next] = [stored[i - 1] as number, stored[i] as number];
    const missing = (next - prev) / MINUTE_MS - 1;
    if (missing < 1) continue;
    const t = prev + MINUTE_MS;
    out.push({ t, until: next, kind: 'hub_gap', scope: 'fleet', description: `fleet: hub gap, ${missing} minute${missing === 1 ? '' : 's'} not stored` });
  }
  return out;
}

/** Consecutive minutes of one kind and scope become one marker at the first, described by it. */
function runs(kind: MarkerKind, scope: string, hits: Hit[]): IncidentMarker[] {
  const out: IncidentMarker[] = [];
  for (const h of [...hits].sort((a, b) => a.minute - b.minute)) {
    const prev = out.at(-1);
    if (prev && prev.until === h.minute) {
      prev.until = h.minute + MINUTE_MS;
      continue;
    }
    out.push({ t: h.t, until: h.minute + MINUTE_MS, kind, scope, description: h.text });
  }
  for (const m of out) {
    const minutes = Math.round((m.until - Math.floor(m.t / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
    if (minutes > 1) m.description += ` — for ${minutes} min`;
  }
  return out;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}
