/**
 * What the reconciliation tests compare the hub against the simulator's ground truth with: the
 * same rule for "within 1 %" and the same reading of who is connected, so the reference-gateway
 * and the proxy reconciliations cannot drift apart in what they accept.
 */
import { expect } from 'vitest';
import { exactPercentile } from '../../../core/histogram.ts';
import type { TruthEvent } from '../../sim/truth-events.ts';

export type Percentiles = { p50: number; p95: number; p99: number } | null;

/** p50/p95/p99 within 1 % of the exact nearest-rank percentiles (10 µs floor near 0 ms, where 1 % is no distance). */
export function expectWithinOnePercent(hub: Percentiles, samples: number[], what: string): void {
  expect(hub, what).not.toBeNull();
  for (const p of [50, 95, 99] as const) {
    const exact = exactPercentile(samples, p)!;
    const got = hub![`p${p}`];
    expect(Math.abs(got - exact), `${what} p${p}: hub ${got} vs exact ${exact} (${samples.length} samples)`).toBeLessThanOrEqual(Math.max(0.01 * exact, 0.01));
  }
}

/** Connections per restaurant as the terminals see them (opens − closes in the truth). */
export function truthConnected(truth: readonly TruthEvent[], rids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(rids.map((r) => [r, 0]));
  for (const e of truth) if (e.ev === 'open') out[e.rid]!++;
  else if (e.ev === 'close') out[e.rid]!--;
  return out;
}

/** Connections per restaurant as the hub's API says. */
export async function hubConnected(api: <T>(path: string) => Promise<T>, rids: readonly string[]): Promise<Record<string, number>> {
  const { restaurants } = await api<{ restaurants: { rid: string; connections: number }[] }>('/api/restaurants');
  return Object.fromEntries(rids.map((rid) => [rid, restaurants.find((r) => r.rid === rid)?.connections ?? 0]));
}
