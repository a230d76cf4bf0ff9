/**
 * A frame's restaurant-second into a restaurant's windows: the counters and histograms the gateway
 * already aggregated for that second (its beats go to the connection registry). The frame's own
 * `reconnects` and `conns` are per gateway and not used: only the hub sees a terminal move between
 * gateways (connection-registry.ts). Pure.
 */
import type { RestaurantSecond } from '../protocol/telemetry.ts';
import type { HistName, RestaurantWindows } from './fleet-state-window.ts';
import { decodeHistogram } from './histogram.ts';
import { counterKey } from './rollup.ts';

const plainCounters = ['hbOnTime', 'hbLate', 'msgIn', 'msgOut', 'bytesIn', 'bytesOut'] as const satisfies readonly (keyof RestaurantSecond)[];
const histFields: readonly [HistName, 'rtt' | 'latency' | 'duration'][] = [
  ['rtt', 'rtt'],
  ['latency', 'latency'],
  ['duration', 'duration'],
];

/** Counts `rs` into `w`; returns how many of its histograms did not decode (a producer bug: skipped). */
export function ingestCounters(w: RestaurantWindows, rs: RestaurantSecond): number {
  const t = rs.s;
  w.count(t, 'opens', rs.opens);
  for (const code in rs.closes) w.count(t, counterKey.closes(code), rs.closes[code] as number);
  for (const type in rs.errors) w.count(t, counterKey.errors(type), rs.errors[type as keyof typeof rs.errors] as number);
  for (const kind in rs.limits) w.count(t, counterKey.limits(kind), rs.limits[kind as keyof typeof rs.limits] as number);
  for (const key of plainCounters) w.count(t, key, rs[key]);
  let bad = 0;
  for (const [name, field] of histFields) {
    const text = rs[field];
    if (text === undefined) continue;
    const h = decodeHistogram(text);
    if (h === null) bad++;
    else w.mergeHistogram(t, name, h);
  }
  return bad;
}
