/**
 * The tick's observations for the alert rules, from figures the fleet state already computes
 * (figures.ts): no figure is computed twice, so an alert and the dashboard never disagree.
 */
import type { RestaurantFigures } from '../figures.ts';
import type { Observation } from './alert-evaluator.ts';

export interface ObservationInputs {
  restaurants: readonly Pick<RestaurantFigures, 'rid' | 'status' | 'heartbeatSuccess' | 'rttMs' | 'reconnectsPerMin' | 'errors'>[];
  /** Gateways the hub knows; `alive: false` once presumed dead (no frame within the timeout). */
  gateways: readonly { gw: string; alive: boolean }[];
  /** Refused tokens (4001) per minute that named no verified restaurant (fleet-wide). */
  unscopedAuthFailuresPerMin: number;
  /** Pulse's own store: writes failing in a row. */
  storeFailing: boolean;
}

export function observationsOf(i: ObservationInputs): Observation[] {
  const out: Observation[] = [];
  let authFailures = i.unscopedAuthFailuresPerMin;
  for (const f of i.restaurants) {
    const subject = { kind: 'restaurant', rid: f.rid } as const;
    out.push({ metric: 'heartbeat_success', subject, value: f.heartbeatSuccess });
    out.push({ metric: 'rtt_p95_ms', subject, value: f.rttMs?.p95 ?? null });
    out.push({ metric: 'reconnects_per_min', subject, value: f.reconnectsPerMin });
    // 'unknown' (nothing expected, nothing connected) is not an outage: there is nothing to miss.
    out.push({ metric: 'offline', subject, value: f.status === 'offline' ? 1 : 0 });
    // The window is one minute, so its count is its rate.
    authFailures += f.errors.auth_failed ?? 0;
  }
  out.push({ metric: 'auth_failures_per_min', subject: { kind: 'fleet' }, value: authFailures });
  for (const g of i.gateways) out.push({ metric: 'gateway_lost', subject: { kind: 'gateway', gw: g.gw }, value: g.alive ? 0 : 1 });
  out.push({ metric: 'store_failing', subject: { kind: 'fleet' }, value: i.storeFailing ? 1 : 0 });
  return out;
}
