/**
 * A long series at fleet scale: `npm run bench:series -- [--store sqlite|postgres://…]
 * [--restaurants 30] [--days 30] [--data DIR|SCHEMA] [--old]`.
 *
 * Seeds a store with one rollup row per restaurant per minute (src/server/store/test-helpers/
 * fleet-month.ts; skipped when `--data` names a store already seeded), then reads the whole window
 * as `/api/fleet/series` does (series-query.ts) and prints its wall time, the peak RSS and heap
 * while it ran, and the longest the event loop was held at once (what `/healthz` would wait).
 * `--old` also runs the pre-issue-18 path (every row at once, then `bucketize`) for comparison —
 * at 30 × 30 it needs ~2 GB.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { systemClock } from '../../src/core/clock.ts';
import { openBenchTarget } from '../store/bench-target.ts';
import { seedFleet } from '../../src/server/store/test-helpers/fleet-month.ts';
import type { Store } from '../../src/server/store/store.ts';
import { bucketize, chooseBucketMs, mergeBucketsOf } from '../../src/server/hub/api/series-buckets.ts';
import { readSeries } from '../../src/server/hub/api/series-query.ts';

const DAY = 86_400_000;

type Run = { ms: number; peakRssMb: number; peakHeapMb: number; maxLoopStallMs: number; points: number };

async function measure(fn: () => Promise<number>): Promise<Run> {
  global.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now();
  const points = await fn();
  const ms = performance.now() - t0;
  loop.disable();
  clearInterval(timer);
  sample();
  return { ms, peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, maxLoopStallMs: loop.max / 1e6, points };
}

export async function benchSeries(o: { store: string; restaurants: number; days: number; data?: string; old: boolean }) {
  const target = await openBenchTarget(o.store, systemClock(), o.data);
  const store: Store = target.store;
  const end = Math.floor(Date.now() / DAY) * DAY;
  const from = end - o.days * DAY;
  try {
    const have = await store.readMinutes({ from: end - 60_000, to: end });
    let seedS = 0;
    if (have.length < o.restaurants) {
      const t0 = performance.now();
      await seedFleet(store, { restaurants: o.restaurants, days: o.days, end });
      seedS = (performance.now() - t0) / 1000;
    }
    const source = { readMinutes: (q: Parameters<Store['readMinutes']>[0]) => store.readMinutes(q), readMinutesPage: (q: Parameters<Store['readMinutesPage']>[0]) => store.readMinutesPage(q), extras: () => [] };
    const streamed = await measure(async () => (await readSeries(source, { rids: undefined, from, to: end, label: 'fleet', fleet: true, inScope: () => true })).buckets.length);
    const result: Record<string, unknown> = { engine: target.engine, restaurants: o.restaurants, days: o.days, rows: o.restaurants * o.days * 1440, seedS: Number(seedS.toFixed(1)), streamed };
    if (o.old) {
      result.old = await measure(async () => {
        const rows = await store.readMinutes({ from, to: end });
        const buckets = await bucketize(rows, from, end, chooseBucketMs(from, end), 'fleet', true);
        mergeBucketsOf(buckets, from, 'fleet');
        return buckets.length;
      });
    }
    return result;
  } finally {
    await target.finish();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const opts = new Command()
    .option('--store <spec>', 'sqlite or a postgres:// URL', 'sqlite')
    .option('--restaurants <n>', 'restaurants', (v) => Number(v), 30)
    .option('--days <n>', 'days of minutes', (v) => Number(v), 30)
    .option('--data <dir>', 'SQLite folder or PostgreSQL schema to keep (and reuse when already seeded)')
    .option('--old', 'also run the pre-issue-18 path (all rows at once)', false)
    .parse()
    .opts<{ store: string; restaurants: number; days: number; data?: string; old: boolean }>();
  const r = await benchSeries(opts);
  const fmt = (name: string, x: Run) =>
    `${name}: ${(x.ms / 1000).toFixed(1)} s, peak RSS ${x.peakRssMb.toFixed(0)} MB, peak heap ${x.peakHeapMb.toFixed(0)} MB, longest event-loop stall ${x.maxLoopStallMs.toFixed(0)} ms, ${x.points} points`;
  console.log(`series bench [${r.engine}] ${r.restaurants} restaurants × ${r.days} days = ${r.rows} rows (seeded in ${r.seedS} s)`);
  console.log(fmt('  streamed fleet series', r.streamed as Run));
  if (r.old) console.log(fmt('  old path (all rows)  ', r.old as Run));
}
