/**
 * Merging stored histograms into running totals, before and after `Histogram.addEncoded`:
 *
 *   npm run bench:histogram [-- <review runs = 3>]
 *
 * 1. µs per merge of one encoded restaurant-minute histogram into a 64-bit total, the old way
 *    (`decodeHistogram` then `merge`) and through `addEncoded`: 20,000 distinct encodings (RTTs of
 *    4 terminals' heartbeats, delivery latencies of ~40 acks), median of 5 runs.
 * 2. The stability review of 20 restaurants over 30 days (864,000 stored minutes, each with an RTT
 *    and a delivery histogram, a duration one in 2 %), and the same minutes without histograms.
 *    Median of the runs.
 * Times are CPU time of this process (user + system), so other load on the shared machine does
 * not count against it. The minutes are built before timing, as the store hands them over.
 */
import { seededRandom } from '../../src/core/clock.ts';
import { createDirectory } from '../../src/core/directory/restaurant-directory.ts';
import { createHistogram, decodeHistogram } from '../../src/core/histogram.ts';
import type { RestaurantMinute } from '../../src/core/rollup.ts';
import { comparedPeriods } from '../../src/core/stability/stability-period.ts';
import { stabilityReview } from '../../src/core/stability/stability-review.ts';

// A bench runs in Node (bench/ sits outside core's isomorphic rule): argv and CPU time from the process.
const node = process;
const cpuMicros = () => {
  const u = node.cpuUsage();
  return u.user + u.system;
};
const REVIEW_RUNS = Number(node.argv[2] ?? 3);
const RESTAURANTS = 20;
const DAYS = 30;
const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 1);

const random = seededRandom(42);
function encoded(n: number, value: () => number): string {
  const h = createHistogram(32);
  for (let i = 0; i < n; i++) h.record(value());
  return h.encode();
}
const rtts = Array.from({ length: 10_000 }, () => encoded(16, () => (random() < 0.02 ? 800 + random() * 2000 : 5 + random() * 120)));
const latencies = Array.from({ length: 10_000 }, () => encoded(20 + Math.floor(random() * 40), () => 2 + random() * 60));
const durations = Array.from({ length: 1_000 }, () => encoded(1, () => random() * 8 * 3_600_000));
const mixed = rtts.flatMap((r, i) => [r, latencies[i]!]);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, digits = 2) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function perMerge(merge: (text: string) => void): number {
  const start = cpuMicros();
  for (let pass = 0; pass < 5; pass++) for (const text of mixed) merge(text);
  return (cpuMicros() - start) / (5 * mixed.length);
}

function mergeFigures(): void {
  let oldTotal = createHistogram(64);
  let newTotal = createHistogram(64);
  const old = (text: string) => void oldTotal.merge(decodeHistogram(text, 64)!);
  const fast = (text: string) => void newTotal.addEncoded(text);
  perMerge(old); // warm-up: JIT
  perMerge(fast);
  const before: number[] = [];
  const after: number[] = [];
  for (let run = 0; run < 5; run++) {
    oldTotal = createHistogram(64);
    newTotal = createHistogram(64);
    before.push(perMerge(old));
    after.push(perMerge(fast));
    if (oldTotal.encode() !== newTotal.encode()) throw new Error('the two paths disagree');
  }
  console.log(`decode + merge:  ${before.map((x) => fmt(x)).join(' ')}  median ${fmt(median(before))} µs per merge`);
  console.log(`addEncoded:      ${after.map((x) => fmt(x)).join(' ')}  median ${fmt(median(after))} µs per merge`);
}

function minutes(withHistograms: boolean): RestaurantMinute[] {
  const counters = Array.from({ length: 64 }, () => ({ expectedMs: 4 * MIN, healthyMs: 4 * MIN * (0.9 + random() * 0.1), connectedMs: 4 * MIN, hbOnTime: 16, hbExpected: 16 }));
  const rows: RestaurantMinute[] = [];
  let k = 0;
  for (let r = 0; r < RESTAURANTS; r++) {
    const rid = `r-${String(r).padStart(3, '0')}`;
    for (let t = NOW - DAYS * 86_400_000; t < NOW; t += MIN, k++) {
      const histograms: Record<string, string> = {};
      if (withHistograms) {
        histograms.rtt = rtts[k % rtts.length]!;
        histograms.latency = latencies[(k * 7) % latencies.length]!;
        if (k % 50 === 0) histograms.duration = durations[k % durations.length]!;
      }
      rows.push({ rid, minute: t, counters: counters[k % counters.length]!, gauges: {}, histograms });
    }
  }
  return rows;
}

function reviewSeconds(rows: readonly RestaurantMinute[]): number[] {
  const rids = Array.from({ length: RESTAURANTS }, (_, r) => `r-${String(r).padStart(3, '0')}`);
  const directory = createDirectory(rids.map((rid) => ({ rid, name: rid, closedDates: [], tags: [] })));
  const periods = comparedPeriods('30d', NOW);
  const out: number[] = [];
  for (let run = 0; run < REVIEW_RUNS; run++) {
    const start = cpuMicros();
    const review = stabilityReview(rids, rows, directory, periods);
    out.push((cpuMicros() - start) / 1e6);
    if (review.scope.current.minutes !== rows.length) throw new Error(`counted ${review.scope.current.minutes} minutes of ${rows.length}`);
  }
  return out;
}

mergeFigures();
for (const withHistograms of [true, false]) {
  const rows = minutes(withHistograms);
  const runs = reviewSeconds(rows);
  const label = withHistograms ? 'with histograms   ' : 'without histograms';
  console.log(`stability review, ${RESTAURANTS} restaurants × ${DAYS} days (${rows.length.toLocaleString('en-US')} minutes) ${label}: ${runs.map((x) => fmt(x)).join(' ')}  median ${fmt(median(runs))} s`);
}
