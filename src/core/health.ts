/**
 * Connection health from the time of the last incoming message (DESIGN.md). Computed when read,
 * from the clock, never by a timer: browsers throttle timers in background tabs, and a health
 * flag kept by a late timer would claim "unhealthy" for a connection that is fine (phoenix#3327).
 */
export type Health = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthThresholds {
  /** Silence from which a connection is degraded (default 20 s: one 15 s heartbeat plus 5 s grace). */
  readonly degradedAfterMs: number;
  /** Silence from which it is unhealthy (default 30 s: two heartbeats missed). */
  readonly unhealthyAfterMs: number;
}

export const defaultHealthThresholds: HealthThresholds = { degradedAfterMs: 20_000, unhealthyAfterMs: 30_000 };

/** `lastSeenAt` undefined means nothing was ever heard: unhealthy. */
export function healthOf(lastSeenAt: number | undefined, now: number, thresholds: Partial<HealthThresholds> = {}): Health {
  if (lastSeenAt === undefined || !Number.isFinite(lastSeenAt)) return 'unhealthy';
  const degradedAfterMs = thresholds.degradedAfterMs ?? defaultHealthThresholds.degradedAfterMs;
  const unhealthyAfterMs = thresholds.unhealthyAfterMs ?? defaultHealthThresholds.unhealthyAfterMs;
  // A clock that stepped back makes the age negative: the message is as fresh as it gets.
  const age = Math.max(0, now - lastSeenAt);
  if (age >= unhealthyAfterMs) return 'unhealthy';
  if (age >= degradedAfterMs) return 'degraded';
  return 'healthy';
}
