/**
 * A hand-fed `LiveSource`: tests set figures and push lifecycle events, and the stream reads them
 * at its next tick exactly as it would read the hub's fleet state.
 */
import type { FleetTotalsWire, RestaurantFiguresWire } from '../../../../protocol/live.ts';
import type { LifecycleEvent } from '../../../../protocol/telemetry.ts';
import { figures } from '../../../../protocol/test-helpers/live-fixtures.ts';
import type { LiveSample, LiveSource } from '../live-source.ts';

// One restaurant's figures, written once for the hub's and the SPA's tests.
export { figures };

/** Totals for tests: sums are exact; percentiles are the max over restaurants (tests only). */
export function sumTotals(list: readonly RestaurantFiguresWire[]): FleetTotalsWire {
  const byStatus = { healthy: 0, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 };
  const errors: Record<string, number> = {};
  let rtt: FleetTotalsWire['rttMs'] = null;
  for (const f of list) {
    byStatus[f.status]++;
    for (const [k, n] of Object.entries(f.errors)) errors[k] = (errors[k] ?? 0) + (n ?? 0);
    if (f.rttMs) {
      rtt = rtt
        ? { p50: Math.max(rtt.p50, f.rttMs.p50), p95: Math.max(rtt.p95, f.rttMs.p95), p99: Math.max(rtt.p99, f.rttMs.p99) }
        : { ...f.rttMs };
    }
  }
  const sum = (pick: (f: RestaurantFiguresWire) => number): number => list.reduce((a, f) => a + pick(f), 0);
  return {
    restaurants: list.length,
    byStatus,
    connections: sum((f) => f.connections),
    expected: sum((f) => f.expected),
    reconnectsPerMin: sum((f) => f.reconnectsPerMin),
    heartbeatSuccess: list.length ? sum((f) => f.heartbeatSuccess ?? 0) / list.length : null,
    rttMs: rtt,
    deliveryMs: null,
    errors,
    errorsPerMin: sum((f) => f.errorsPerMin),
    stability: list.length ? sum((f) => f.stability ?? 0) / list.length : null,
  };
}

export class FakeLiveSource implements LiveSource {
  readonly restaurants = new Map<string, RestaurantFiguresWire>();
  readonly terminals = new Map<string, Set<string>>();
  private pending: LifecycleEvent[] = [];
  samples = 0;
  /** Runs at the start of every sample, as if the fleet had moved since the last tick. */
  onSample: ((n: number) => void) | undefined;

  set(rid: string, over: Partial<RestaurantFiguresWire> = {}): void {
    this.restaurants.set(rid, figures(rid, { ...this.restaurants.get(rid), ...over }));
  }

  remove(rid: string): void {
    this.restaurants.delete(rid);
  }

  emit(event: LifecycleEvent): void {
    if ('tid' in event && event.tid !== undefined && 'rid' in event && event.rid !== undefined) {
      const rids = this.terminals.get(event.tid) ?? new Set<string>();
      this.terminals.set(event.tid, rids.add(event.rid));
    }
    this.pending.push(event);
  }

  sample(_now: number): LiveSample {
    this.onSample?.(++this.samples);
    const list = [...this.restaurants.values()];
    return { restaurants: list, totals: (inScope) => sumTotals(list.filter((f) => inScope(f.rid))) };
  }

  drainLifecycle(): LifecycleEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  terminalRestaurants(tid: string): readonly string[] {
    return [...(this.terminals.get(tid) ?? [])].sort();
  }
}

export function openEvent(rid: string, tid: string, t = Date.now()): LifecycleEvent {
  return { type: 'open', gw: 'gw-test', t, rid, tid, conn: `${tid}#1`, via: 'subprotocol' };
}

export function closeEvent(rid: string, tid: string, t = Date.now()): LifecycleEvent {
  return { type: 'close', gw: 'gw-test', t, rid, tid, conn: `${tid}#1`, code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 1234 };
}
