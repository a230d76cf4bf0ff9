/**
 * A fleet's month of rollups, built fast: `seedFleet(store, { restaurants: 30, days: 30, end })`
 * writes one row per restaurant per minute (1.3 M rows for 30 × 30) in hour-sized batches, each one
 * transaction. Rows are realistic in shape — the counters and gauges the hub writes, real HDR
 * histograms from a small pool of pre-encoded ones (encoding a million would dominate) — and
 * deterministic, so two seeds of the same size hold the same data.
 */
import { seededRandom } from '../../../core/clock.ts';
import { createHistogram } from '../../../core/histogram.ts';
import type { RestaurantMinute, Store } from '../store.ts';

const MINUTE = 60_000;

export type FleetSeed = { restaurants: number; days: number; /** Exclusive end, minute-aligned. */ end: number; /** Minutes per batch; default 60. */ batchMinutes?: number };

function pool(size: number, samples: number, scale: number, seed: number): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, () => {
    const h = createHistogram();
    for (let i = 0; i < samples; i++) h.record(scale * Math.exp(random() * 2.5));
    return h.encode();
  });
}

/** The rows of one minute, one per restaurant. */
export function fleetMinute(minute: number, restaurants: number, random: () => number, pools: ReturnType<typeof seedPools>): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  for (let r = 0; r < restaurants; r++) {
    const terminals = 4;
    const connected = terminals - (random() < 0.05 ? 1 : 0);
    const histograms: Record<string, string> = { rtt: pools.rtt[Math.floor(random() * pools.rtt.length)]!, latency: pools.latency[Math.floor(random() * pools.latency.length)]! };
    const counters: Record<string, number> = { hbOnTime: connected * 4, hbExpected: terminals * 4, connectedMs: connected * MINUTE, healthyMs: connected * MINUTE, expectedMs: terminals * MINUTE, msgIn: 30, msgOut: 28, bytesIn: 3000, bytesOut: 2800 };
    if (connected < terminals) {
      histograms.duration = pools.duration[Math.floor(random() * pools.duration.length)]!;
      Object.assign(counters, { opens: 1, reconnects: 1, 'closes.1006': 1, 'errors.heartbeat_timeout': 1 });
    }
    rows.push({ rid: `r-${String(r + 1).padStart(3, '0')}`, minute, counters, gauges: { connections: { last: connected, min: connected - 1, max: terminals }, expected: { last: terminals, min: terminals, max: terminals } }, histograms });
  }
  return rows;
}

export function seedPools() {
  return { rtt: pool(64, 16, 20, 1), latency: pool(64, 24, 40, 2), duration: pool(16, 1, 600_000, 3) };
}

/** Writes the seed; returns how many rows went in. */
export async function seedFleet(store: Pick<Store, 'writeMinutes'>, o: FleetSeed): Promise<number> {
  const random = seededRandom(7);
  const pools = seedPools();
  const batch = o.batchMinutes ?? 60;
  const start = o.end - o.days * 1440 * MINUTE;
  let written = 0;
  for (let t = start; t < o.end; t += batch * MINUTE) {
    const rows: RestaurantMinute[] = [];
    for (let m = t; m < Math.min(o.end, t + batch * MINUTE); m += MINUTE) rows.push(...fleetMinute(m, o.restaurants, random, pools));
    await store.writeMinutes(rows);
    written += rows.length;
  }
  return written;
}
