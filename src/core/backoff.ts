/**
 * Reconnect backoff policy (DESIGN.md, "The resilient socket"). Pure: the caller passes `random`.
 *
 * For attempt n (0-based since the last reset) the ceiling is `min(cap, base * 2^min(n+1, 30))`
 * and the delay is drawn uniformly from `[base, ceiling]`:
 * - the cap is applied BEFORE the jitter, so clients at the cap still spread over `[base, cap]`;
 *   jittering first and capping after lands every client on the cap together (teleport#6889,
 *   phoenix#4045);
 * - the exponent is clamped, so `2 ** n` never becomes Infinity and the delay never NaN or 0
 *   after thousands of attempts (socket.io `backo2`);
 * - the delay never drops below `base`: a terminal that retried after 0.5 s broke the policy,
 *   and the gateway judges terminals with `backoffBounds`.
 */
import type { Random } from './clock.ts';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 64_000 };

/** 2^30 × any sane base is far beyond any cap; beyond it the product could overflow. */
const maxExponent = 30;

function resolve(policy: Partial<BackoffPolicy> | undefined): BackoffPolicy {
  const baseMs = finiteOr(policy?.baseMs, defaultBackoff.baseMs, 0);
  // A cap below the base would make the range empty; the base wins (the floor is the promise).
  const capMs = Math.max(baseMs, finiteOr(policy?.capMs, defaultBackoff.capMs, 0));
  return { baseMs, capMs };
}

function finiteOr(value: number | undefined, fallback: number, min: number): number {
  return value !== undefined && Number.isFinite(value) && value >= min ? value : fallback;
}

/** The range a delay for attempt `attempt` (0-based) is drawn from. */
export function backoffBounds(attempt: number, policy?: Partial<BackoffPolicy>): { minMs: number; maxMs: number } {
  const { baseMs, capMs } = resolve(policy);
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(n + 1, maxExponent));
  return { minMs: baseMs, maxMs: Math.max(baseMs, ceiling) };
}

/** The delay before attempt `attempt` (0-based since the last reset), full jitter after the cap. */
export function backoffDelay(attempt: number, random: Random, policy?: Partial<BackoffPolicy>): number {
  const { minMs, maxMs } = backoffBounds(attempt, policy);
  const r = random();
  // A misbehaving RNG must not push the delay outside the promised range.
  const u = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0;
  return minMs + u * (maxMs - minMs);
}
