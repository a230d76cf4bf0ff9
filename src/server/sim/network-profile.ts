/**
 * Network profiles: how a terminal's link behaves. The terminal applies its profile to itself
 * (delaying its own sends and receives, losing pings, flapping), so no proxy is needed and a run is
 * reproducible from the seed. Pure: every draw takes the terminal's own `random`.
 */
import { z } from 'zod';
import type { Random } from '../../core/clock.ts';

export const networkProfileSchema = z.strictObject({
  /** Median round trip of the link, ms. Each terminal draws its own base RTT around it. */
  rttMs: z.number().min(0).max(60_000),
  /** Spread of base RTTs across terminals (sigma of a log-normal); 0 = every terminal the same. */
  rttSpread: z.number().min(0).max(3).default(0.3),
  /** Per-message variation, ms: each one-way delay moves by up to ± jitterMs / 2. */
  jitterMs: z.number().min(0).max(60_000).default(0),
  /** Probability that a heartbeat ping is lost on the way to the gateway. */
  loss: z.number().min(0).max(1).default(0),
  /** Mean seconds between connection drops (exponential); 0 = never. */
  flapEveryS: z.number().min(0).max(31_536_000).default(0),
});
export type NetworkProfile = z.infer<typeof networkProfileSchema>;

/** Built-in profiles a scenario can name; a scenario may add its own under `network.profiles`. */
export const builtinProfiles: Record<string, NetworkProfile> = {
  ideal: { rttMs: 0, rttSpread: 0, jitterMs: 0, loss: 0, flapEveryS: 0 },
  lan: { rttMs: 2, rttSpread: 0.2, jitterMs: 1, loss: 0, flapEveryS: 0 },
  wifi: { rttMs: 20, rttSpread: 0.4, jitterMs: 10, loss: 0.002, flapEveryS: 0 },
  '4g': { rttMs: 70, rttSpread: 0.5, jitterMs: 40, loss: 0.01, flapEveryS: 1800 },
  flaky: { rttMs: 150, rttSpread: 0.6, jitterMs: 120, loss: 0.05, flapEveryS: 120 },
  slow: { rttMs: 900, rttSpread: 0.3, jitterMs: 400, loss: 0.03, flapEveryS: 0 },
};

/** A standard normal draw (Box–Muller). */
function normal(random: Random): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** The terminal's own base RTT: log-normal around the profile's median, capped at 10× it. */
export function drawBaseRtt(profile: NetworkProfile, random: Random): number {
  if (profile.rttMs === 0) return 0;
  const rtt = profile.rttMs * Math.exp(profile.rttSpread * normal(random));
  return Math.min(rtt, profile.rttMs * 10);
}

/** One direction's delay for one message: half the base RTT, moved by jitter, never negative. */
export function drawOneWayDelay(baseRttMs: number, profile: NetworkProfile, random: Random): number {
  const jitter = profile.jitterMs === 0 ? 0 : (random() - 0.5) * profile.jitterMs;
  return Math.max(0, baseRttMs / 2 + jitter);
}

export function drawLoss(profile: NetworkProfile, random: Random): boolean {
  return profile.loss > 0 && random() < profile.loss;
}

/** Delay until the next flap, ms, or null when the profile does not flap. */
export function drawFlapDelay(profile: NetworkProfile, random: Random): number | null {
  if (profile.flapEveryS <= 0) return null;
  return -Math.log(Math.max(random(), Number.EPSILON)) * profile.flapEveryS * 1000;
}
