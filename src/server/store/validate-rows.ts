/**
 * What the store accepts. Checked when a row is handed to the write queue, so that a bad row is
 * refused to its producer at once instead of poisoning a batch that would then be retried forever.
 */
import { lifecycleEventTypes } from './store.ts';
import type { LifecycleEvent, RestaurantMinute } from './store.ts';

const MINUTE_MS = 60_000;
const lifecycle = new Set<string>(lifecycleEventTypes);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a rollup row cannot be stored, or undefined when it can. */
export function invalidMinuteReason(row: RestaurantMinute): string | undefined {
  if (!isRecord(row)) return 'not an object';
  if (typeof row.rid !== 'string' || row.rid === '') return 'rid must be a non-empty string';
  if (!Number.isSafeInteger(row.minute) || row.minute % MINUTE_MS !== 0) return `minute ${row.minute} is not a whole minute in ms`;
  if (!isRecord(row.counters) || !isRecord(row.gauges) || !isRecord(row.histograms)) return 'counters, gauges and histograms must be objects';
  for (const [k, v] of Object.entries(row.counters)) if (!Number.isFinite(v)) return `counter "${k}" is not a finite number`;
  for (const [k, g] of Object.entries(row.gauges)) {
    if (!isRecord(g) || !Number.isFinite(g.last) || !Number.isFinite(g.min) || !Number.isFinite(g.max)) return `gauge "${k}" needs finite last, min and max`;
  }
  for (const [k, h] of Object.entries(row.histograms)) if (typeof h !== 'string') return `histogram "${k}" is not an encoded string`;
  return undefined;
}

/** Why a lifecycle event cannot be stored, or undefined when it can. The full shape is the protocol's business. */
export function invalidEventReason(event: LifecycleEvent): string | undefined {
  if (!isRecord(event)) return 'not an object';
  if (!lifecycle.has(event.type)) return `type "${String(event.type)}" is not a lifecycle event`;
  if (!Number.isFinite(event.t)) return `t ${event.t} is not a time in ms`;
  if (typeof event.gw !== 'string') return 'gw must be a string';
  if (event.type !== 'auth_fail' && (typeof event.rid !== 'string' || typeof event.tid !== 'string')) return `${event.type} needs rid and tid`;
  // A refused token is nobody's data: its claims travel as claimedRid/claimedTid (probe-events.ts).
  if (event.type === 'auth_fail' && ('rid' in event || 'tid' in event)) return 'auth_fail names no restaurant or terminal (claimedRid/claimedTid only)';
  return undefined;
}
