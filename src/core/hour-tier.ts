/**
 * The restaurant-hour tier (DESIGN.md "Storage"): restaurant-minutes are kept 14 days, and each
 * settled hour is rolled into one restaurant-hour row kept 400 days. An hour row is a
 * `RestaurantMinute` whose `minute` is the hour's start: counters summed, gauges combined in time
 * order, histograms merged exactly (mergeMinutes) — so any figure over whole hours is the same
 * from either tier, percentiles to the histograms' 1 %.
 *
 * Pure: which hours to roll next and which tier answers which part of a window are decided here
 * from positions the store passes in; the store only reads and writes.
 */
import { mergeMinutes, type RestaurantMinute } from './rollup.ts';

export const HOUR_MS = 3_600_000;

export const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const ceilHour = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;

/** One restaurant's hour from its minutes of that hour (any order); undecodable histograms are left out and counted. */
export function rollHour(rid: string, hour: number, minutes: readonly RestaurantMinute[]): { row: RestaurantMinute; invalidHistograms: number } {
  const { merged, invalidHistograms } = mergeMinutes(rid, minutes);
  return { row: { ...merged, minute: hour }, invalidHistograms };
}

/** Groups the minutes of one hour by restaurant and rolls each (rows in rid order). */
export function rollHourOfFleet(hour: number, minutes: readonly RestaurantMinute[]): { rows: RestaurantMinute[]; invalidHistograms: number } {
  const byRid = new Map<string, RestaurantMinute[]>();
  for (const m of minutes) {
    const list = byRid.get(m.rid);
    if (list) list.push(m);
    else byRid.set(m.rid, [m]);
  }
  let invalidHistograms = 0;
  const rows: RestaurantMinute[] = [];
  for (const rid of [...byRid.keys()].sort()) {
    const rolled = rollHour(rid, hour, byRid.get(rid)!);
    rows.push(rolled.row);
    invalidHistograms += rolled.invalidHistograms;
  }
  return { rows, invalidHistograms };
}

/**
 * How far the roll-up has gone, kept in the store with the hour rows it covers: every hour before
 * `hour` is rolled, and of `hour` itself the restaurants up to and including `rid` (a batch is a
 * slice of one hour's restaurants, so a fleet-hour never has to be read at once).
 */
export type RollupPosition = { hour: number; rid?: string };

export function encodePosition(p: RollupPosition): string {
  return JSON.stringify(p.rid === undefined ? { hour: p.hour } : p);
}

/** Undefined for a missing or unreadable value: the roll-up then starts from the oldest minute. */
export function decodePosition(text: string | undefined): RollupPosition | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { hour?: unknown; rid?: unknown };
    if (typeof v.hour !== 'number' || !Number.isSafeInteger(v.hour) || v.hour % HOUR_MS !== 0) return undefined;
    return typeof v.rid === 'string' ? { hour: v.hour, rid: v.rid } : { hour: v.hour };
  } catch {
    return undefined;
  }
}

/** Every hour before this one is rolled whole. */
export const rolledThrough = (p: RollupPosition | undefined): number => (p === undefined ? -Infinity : p.hour);

/**
 * Hours that may be rolled at `now`: those that ended at least `settleMs` ago, since the hub hands
 * a minute over once it has settled and a restarted hub may still write the rest of a minute.
 */
export const settledBefore = (now: number, settleMs: number): number => floorHour(now - settleMs);

export type TierState = {
  /** Every hour before this is in the hour tier (rolledThrough). */
  rolledThrough: number;
  /** Minutes before this are gone (retention; hour-aligned, never past rolledThrough). */
  minutesFrom: number;
  /** Windows longer than this read whole hours from the hour tier (where rolled). */
  longWindowMs: number;
};

/** Which tier answers which part of [from, to): minutes for [from, hoursFrom) and [hoursTo, to), hours for [hoursFrom, hoursTo). */
export type TierPlan = { hoursFrom: number; hoursTo: number };

/**
 * Hour rows are returned for hours that start in the window and are rolled, when either their
 * minutes are gone (so the hour is all there is; if `to` cuts it, the whole hour is returned) or
 * the window is long and the hour lies wholly inside it. Everything else is read from minutes.
 * Each hour is answered by one tier only, so nothing is counted twice.
 */
export function planTiers(from: number, to: number, s: TierState): TierPlan {
  const start = ceilHour(from);
  const expiredTo = Math.min(s.minutesFrom, s.rolledThrough, ceilHour(to));
  const longTo = to - from > s.longWindowMs ? Math.min(s.rolledThrough, floorHour(to)) : -Infinity;
  const end = Math.max(expiredTo, longTo);
  return end > start ? { hoursFrom: start, hoursTo: end } : { hoursFrom: to, hoursTo: to };
}

/** The segments of a plan in time order, each with its tier; empty ones left out. */
export function planSegments(from: number, to: number, plan: TierPlan): { tier: 'minutes' | 'hours'; from: number; to: number }[] {
  const segments: { tier: 'minutes' | 'hours'; from: number; to: number }[] = [];
  if (plan.hoursTo > plan.hoursFrom) {
    if (plan.hoursFrom > from) segments.push({ tier: 'minutes', from, to: plan.hoursFrom });
    segments.push({ tier: 'hours', from: plan.hoursFrom, to: plan.hoursTo });
    if (to > plan.hoursTo) segments.push({ tier: 'minutes', from: plan.hoursTo, to });
  } else if (to > from) segments.push({ tier: 'minutes', from, to });
  return segments;
}

/**
 * Where minute retention may cut at `now`: the policy's age, but never past what is rolled (an
 * hour's minutes go only once its hour row is written), always on an hour boundary.
 */
export const minuteCutoff = (now: number, minutesMs: number, p: RollupPosition | undefined): number => floorHour(Math.min(now - minutesMs, rolledThrough(p)));
