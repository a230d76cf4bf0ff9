/**
 * One alert's state machine: a rule applied to one subject (a restaurant, a gateway, the fleet),
 * stepped once per tick with the figure's value at `now`. Pure and total: no clock, no I/O.
 *
 *   inactive ─breach─▶ pending ─breach for `forMs`─▶ firing ─clear for `clearForMs`─▶ resolved
 *      ▲                  │ no breach                                                   │
 *      └──────────────────┴──────────────────────◀─────── (resolved behaves as inactive) ┘
 *
 * and from any phase to `held` while the restaurant is closed or a silence matches: a pending
 * alert is dropped (it starts over, full `forMs`, once the hold ends) and a firing one resolves
 * with the hold as its reason — it was handed to someone (a silence) or stopped mattering (closed).
 *
 * Hysteresis: pending needs the value past `fire` at every step (one good tick starts it over, as
 * Prometheus' `for` does), but a firing alert stays firing until the value is back past `clear` —
 * a value hovering around `fire` neither resolves nor fires again. No data (null) is no breach and
 * counts as clear: a figure that stopped existing (no heartbeats expected, no RTT sampled) is not
 * evidence of a fault; the offline rule is the one that watches for silence.
 */
import type { AlertEndReason } from '../../protocol/alerts.ts';

export type HoldReason = 'closed' | 'silenced';
export type AlertPhase = 'inactive' | 'pending' | 'firing' | 'resolved' | 'held';

export interface Thresholds {
  /** True when a low value is bad (heartbeat success). */
  firesBelow: boolean;
  fire: number;
  clear: number;
  forMs: number;
  clearForMs: number;
}

export interface AlertState {
  phase: AlertPhase;
  /** When the current phase began. */
  since: number;
  /** Firing: the value when it fired, the worst since, and when the value came back past `clear`. */
  firedAt?: number;
  valueAtFire?: number | null;
  worst?: number | null;
  clearingSince?: number;
  heldBy?: HoldReason;
}

export type AlertEvent =
  | { type: 'firing'; at: number; value: number | null }
  | { type: 'resolved'; at: number; value: number | null; firedAt: number; endedBy: AlertEndReason };

export interface StepInput {
  now: number;
  value: number | null;
  hold: HoldReason | null;
}

export const initialAlertState = (now: number): AlertState => ({ phase: 'inactive', since: now });

export function breaches(t: Thresholds, v: number | null): boolean {
  return v !== null && (t.firesBelow ? v < t.fire : v > t.fire);
}

export function clears(t: Thresholds, v: number | null): boolean {
  return v === null || (t.firesBelow ? v >= t.clear : v <= t.clear);
}

const worse = (t: Thresholds, a: number | null | undefined, b: number | null): number | null => {
  if (a === undefined || a === null) return b;
  if (b === null) return a;
  return t.firesBelow ? Math.min(a, b) : Math.max(a, b);
};

export function stepAlert(t: Thresholds, s: AlertState, i: StepInput): { state: AlertState; event?: AlertEvent } {
  const { now, value, hold } = i;
  if (hold !== null) {
    if (s.phase === 'firing') {
      return { state: { phase: 'held', since: now, heldBy: hold }, event: { type: 'resolved', at: now, value, firedAt: s.firedAt ?? s.since, endedBy: hold } };
    }
    if (s.phase === 'held' && s.heldBy === hold) return { state: s };
    return { state: { phase: 'held', since: now, heldBy: hold } };
  }
  switch (s.phase) {
    case 'held':
    case 'inactive':
    case 'resolved': {
      if (!breaches(t, value)) return { state: s.phase === 'held' ? initialAlertState(now) : s };
      if (t.forMs <= 0) return fire(value, now);
      return { state: { phase: 'pending', since: now } };
    }
    case 'pending': {
      if (!breaches(t, value)) return { state: initialAlertState(now) };
      if (now - s.since >= t.forMs) return fire(value, now);
      return { state: s };
    }
    case 'firing': {
      const worst = worse(t, s.worst, value);
      if (!clears(t, value)) return { state: { ...s, worst, clearingSince: undefined } };
      const clearingSince = s.clearingSince ?? now;
      if (now - clearingSince >= t.clearForMs) {
        return { state: { phase: 'resolved', since: now }, event: { type: 'resolved', at: now, value, firedAt: s.firedAt ?? s.since, endedBy: 'recovered' } };
      }
      return { state: { ...s, worst, clearingSince } };
    }
  }
}

function fire(value: number | null, now: number): { state: AlertState; event: AlertEvent } {
  return { state: { phase: 'firing', since: now, firedAt: now, valueAtFire: value, worst: value }, event: { type: 'firing', at: now, value } };
}
