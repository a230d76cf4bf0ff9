/**
 * The rules a terminal's timeline is judged by — the heartbeat the gateways ask for and the
 * reconnect policy the terminals follow — in the flat shape the hub states them in
 * (`policy` of `GET /api/terminals/:tid/events`, docs/api.md). A fleet run with compressed
 * intervals (the end-to-end tests: 1 s heartbeats, 300 ms → 2 s backoff) must be judged by its own
 * rules: against DESIGN.md's 2 s → 64 s every one of its reconnects would read "too soon".
 */
import { defaultBackoff, type BackoffPolicy } from '../backoff.ts';
import { timelineDefaults } from './build-timeline.ts';

export interface TimelinePolicy {
  heartbeatIntervalMs: number;
  graceMs: number;
  /** A connection up this long (and ponged) resets the terminal's attempt count. */
  stableAfterMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

/** How a fleet is configured: the gateway's and the simulator's option names. */
export interface FleetRules {
  heartbeatIntervalMs?: number | undefined;
  heartbeatGraceMs?: number | undefined;
  stableAfterMs?: number | undefined;
  backoff?: Partial<BackoffPolicy> | undefined;
}

/** A positive finite number, or the default. */
const ms = (v: number | undefined, fallback: number): number => (v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback);

/** The policy of a fleet configured with `rules`; DESIGN.md's defaults where it says nothing. */
export function timelinePolicy(rules: FleetRules = {}): TimelinePolicy {
  const backoffBaseMs = ms(rules.backoff?.baseMs, defaultBackoff.baseMs);
  return {
    heartbeatIntervalMs: ms(rules.heartbeatIntervalMs, timelineDefaults.heartbeatIntervalMs),
    // Zero grace is a valid configuration of the gateway.
    graceMs: rules.heartbeatGraceMs !== undefined && Number.isFinite(rules.heartbeatGraceMs) && rules.heartbeatGraceMs >= 0 ? rules.heartbeatGraceMs : timelineDefaults.graceMs,
    stableAfterMs: ms(rules.stableAfterMs, timelineDefaults.stableAfterMs),
    backoffBaseMs,
    // A cap below the base would make the range empty; the base wins, as src/core/backoff.ts does.
    backoffCapMs: Math.max(backoffBaseMs, ms(rules.backoff?.capMs, defaultBackoff.capMs)),
  };
}

/** What buildTimeline takes from a policy. */
export function timelineRulesOf(p: TimelinePolicy): { heartbeatIntervalMs: number; graceMs: number; stableAfterMs: number; backoff: BackoffPolicy } {
  return { heartbeatIntervalMs: p.heartbeatIntervalMs, graceMs: p.graceMs, stableAfterMs: p.stableAfterMs, backoff: { baseMs: p.backoffBaseMs, capMs: p.backoffCapMs } };
}
