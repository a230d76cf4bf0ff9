/**
 * Store write cost at fleet scale: `npm run bench:store -- [--store sqlite|postgres://…]
 * [--minutes N] [--restaurants R] [--terminals T] [--events-per-sec E] [--rewrites K] [--data DIR]`
 * (`--data` keeps the SQLite folder, or names the PostgreSQL schema to keep). With `--tiers [--stepped]`,
 * the storage tiers at a year's scale instead (tier-bench.ts: sizes, the 30-day ranking, the
 * 90-day page, the week report).
 *
 * The hub's write path (write queue → store) is fed what a fleet produces: one rollup row
 * per restaurant per minute (counters, gauges, real HDR histograms) and lifecycle events at a
 * steady rate. Time is simulated — the queue runs on a fake clock and each simulated second is
 * fed and flushed as fast as it goes — because every cost here is per item, not per wall second;
 * CPU is `process.cpuUsage()` over the writing only (data is built beforehand), divided by the
 * simulated window — plus, for PostgreSQL, its server processes' CPU for our connections. The
 * result is "share of one core the store would use in a real run". Then rollup write throughput:
 * the same rows again, straight to the store in batches of 500, as fast as it takes them.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { seededRandom } from '../../src/core/clock.ts';
import type { Clock } from '../../src/core/clock.ts';
import { FakeClock } from '../../src/core/fake-clock.ts';
import { createHistogram } from '../../src/core/histogram.ts';
import type { LifecycleEvent, RestaurantMinute, Store } from '../../src/server/store/store.ts';
import { createWriteQueue } from '../../src/server/store/write-queue.ts';
import { openBenchTarget } from './bench-target.ts';
import { printTierBench, runTierBench } from './tier-bench.ts';

export type StoreBenchOptions = {
  restaurants: number;
  terminals: number;
  minutes: number;
  eventsPerSec: number;
  /** Each restaurant-minute is written in this many parts, so K−1 of them merge (HDR decode/add/encode). */
  rewrites: number;
  /** `sqlite` (default) or a postgres:// URL. */
  store?: string;
  /** SQLite: keep this folder; PostgreSQL: write into (and keep) this schema. */
  dataDir?: string;
};

export type StoreBenchResult = StoreBenchOptions & {
  rowsWritten: number;
  eventsWritten: number;
  cpuMs: number;
  /** Of cpuMs, what PostgreSQL's server processes spent (0 for SQLite). */
  serverCpuMs: number;
  /** CPU of the store write path as % of one core over the simulated window. */
  cpuPercentOfCore: number;
  /** Single store calls: how long the event loop was held at once (p99 and worst). */
  p99StallMs: number;
  maxStallMs: number;
  bytesPerRow: number;
  fileBytes: number;
  /** Rollup rows per second written straight to the store in batches of 500: first writes, then merges. */
  insertRowsPerSec: number;
  mergeRowsPerSec: number;
};

const MINUTE = 60_000;

/** A pool of realistic encoded histograms (RTT tens of ms, delivery latency, durations), reused round-robin. */
function histogramPool(size: number, samples: number): string[] {
  const random = seededRandom(42);
  return Array.from({ length: size }, () => {
    const h = createHistogram();
    for (let i = 0; i < samples; i++) h.record(20 * Math.exp(random() * 2.5));
    return h.encode();
  });
}

function buildRows(o: StoreBenchOptions, start: number): RestaurantMinute[][] {
  const perRestaurant = Math.max(1, Math.round(o.terminals / o.restaurants));
  const rtt = histogramPool(256, perRestaurant * 4);
  const latency = histogramPool(256, perRestaurant * 6);
  const random = seededRandom(1);
  const byMinute: RestaurantMinute[][] = [];
  for (let m = 0; m < o.minutes; m++) {
    const rows: RestaurantMinute[] = [];
    for (let r = 0; r < o.restaurants; r++) {
      const rid = `r-${String(r + 1).padStart(4, '0')}`;
      const connected = perRestaurant - (random() < 0.05 ? 1 : 0);
      for (let part = 0; part < o.rewrites; part++) {
        rows.push({
          rid,
          minute: start + m * MINUTE,
          counters: {
            opens: random() < 0.1 ? 1 : 0, reconnects: random() < 0.05 ? 1 : 0, 'closes.1006': random() < 0.05 ? 1 : 0,
            hbOnTime: connected * 4, hbLate: random() < 0.1 ? 1 : 0, connectedMs: connected * MINUTE, healthyMs: connected * MINUTE,
            expectedMs: perRestaurant * MINUTE, msgIn: connected * 6, msgOut: connected * 6, bytesIn: connected * 900, bytesOut: connected * 1100,
          },
          gauges: { connections: { last: connected, min: connected - 1, max: perRestaurant }, expected: { last: perRestaurant, min: perRestaurant, max: perRestaurant } },
          histograms: { rtt: rtt[(m * o.restaurants + r) % rtt.length]!, latency: latency[(r + part) % latency.length]! },
        });
      }
    }
    byMinute.push(rows);
  }
  return byMinute;
}

function buildEvents(o: StoreBenchOptions, start: number): LifecycleEvent[][] {
  const random = seededRandom(2);
  const perSecond: LifecycleEvent[][] = [];
  for (let s = 0; s < o.minutes * 60; s++) {
    const list: LifecycleEvent[] = [];
    for (let i = 0; i < o.eventsPerSec; i++) {
      const n = Math.floor(random() * o.terminals);
      const rid = `r-${String((n % o.restaurants) + 1).padStart(4, '0')}`;
      const tid = `${rid}-t${Math.floor(n / o.restaurants) + 1}`;
      const t = start + s * 1000 + Math.floor((i * 1000) / o.eventsPerSec);
      const conn = `gw-1:${n}:${s}`;
      list.push(
        i % 2 === 0
          ? { type: 'open', gw: 'gw-1', t, rid, tid, conn, via: 'subprotocol' }
          : { type: 'close', gw: 'gw-1', t, rid, tid, conn, code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 123_456 },
      );
    }
    perSecond.push(list);
  }
  return perSecond;
}

/** Times every store call, to report the longest stall of the event loop. */
function timed(store: Store, stalls: number[]): Store {
  const time = <A extends unknown[]>(fn: (...a: A) => Promise<void>) => async (...a: A) => {
    const t0 = performance.now();
    await fn(...a);
    stalls.push(performance.now() - t0);
  };
  return { ...store, writeMinutes: time(store.writeMinutes), writeEvents: time(store.writeEvents) };
}

/** Rollup rows written straight to the store, `batch` at a time, as fast as it takes them: rows per second. */
async function rollupThroughput(store: Store, rows: RestaurantMinute[], batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) await store.writeMinutes(rows.slice(i, i + batch));
  return rows.length / ((performance.now() - t0) / 1000);
}

export async function runStoreBench(o: StoreBenchOptions): Promise<StoreBenchResult> {
  const clock = new FakeClock(Math.floor(Date.now() / MINUTE) * MINUTE);
  const start = clock.now();
  const rows = buildRows(o, start);
  const events = buildEvents(o, start);
  const target = await openBenchTarget(o.store ?? 'sqlite', clock, o.dataDir);
  const { store } = target;
  const stalls: number[] = [];
  // Timers run on simulated time; `now()` adds the real time spent, so the queue's batch sizing
  // sees what store calls really cost.
  const real0 = performance.now();
  const queueClock: Clock = {
    now: () => clock.now() + (performance.now() - real0),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
  const queue = createWriteQueue({ store: timed(store, stalls), clock: queueClock, flushIntervalMs: 1000 });

  const server0 = (await target.serverCpuMs()) ?? 0;
  const cpu0 = process.cpuUsage();
  for (let s = 0; s < o.minutes * 60; s++) {
    queue.enqueueEvents(events[s]!);
    // The hub hands over a restaurant-minute once it has settled, i.e. during the next minute.
    if (s % 60 === 5 && s >= 60) queue.enqueueMinutes(rows[Math.floor(s / 60) - 1]!);
    clock.advance(1000);
    // Waits for the writes without spinning: a network store's calls take real I/O time, and a
    // busy loop around them would be counted as store CPU.
    await queue.flush();
  }
  queue.enqueueMinutes(rows[o.minutes - 1]!);
  await queue.close();
  const cpu = process.cpuUsage(cpu0);
  const serverCpuMs = ((await target.serverCpuMs()) ?? 0) - server0;
  const stats = queue.stats();

  // Throughput on fresh minutes (an hour later: first writes), then the same minutes again (merges).
  const later = rows.flat().map((r) => ({ ...r, minute: r.minute + 60 * MINUTE }));
  const insertRowsPerSec = await rollupThroughput(store, later, 500);
  const mergeRowsPerSec = await rollupThroughput(store, later, 500);
  const fileBytes = await target.finish();

  const cpuMs = (cpu.user + cpu.system) / 1000 + serverCpuMs;
  const rowsWritten = o.minutes * o.restaurants * o.rewrites;
  const eventsWritten = o.minutes * 60 * o.eventsPerSec;
  if (stats.written !== rowsWritten + eventsWritten) throw new Error(`bench lost data: wrote ${stats.written} of ${rowsWritten + eventsWritten}`);
  return {
    ...o,
    rowsWritten,
    eventsWritten,
    cpuMs,
    serverCpuMs,
    cpuPercentOfCore: (cpuMs / (o.minutes * MINUTE)) * 100,
    p99StallMs: [...stalls].sort((a, b) => a - b)[Math.floor(stalls.length * 0.99)] ?? 0,
    maxStallMs: Math.max(0, ...stalls),
    // The throughput phase doubled the minutes on disk: bytes per row counts them.
    bytesPerRow: fileBytes / (2 * o.minutes * o.restaurants + eventsWritten),
    fileBytes,
    insertRowsPerSec,
    mergeRowsPerSec,
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
}

function storeArg(): string {
  const i = process.argv.indexOf('--store');
  const v = i >= 0 ? process.argv[i + 1] : 'sqlite';
  if (!v || !(v === 'sqlite' || /^postgres(ql)?:\/\//.test(v))) throw new Error('--store must be sqlite or a postgres:// URL');
  return v;
}

/** The URL without its password, for the printout. */
const shown = (spec: string) => spec.replace(/:[^:@/]*@/, ':…@');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--tiers')) {
  const dataIndex = process.argv.indexOf('--data');
  const r = await runTierBench({
    restaurants: arg('restaurants', 1000),
    days: arg('days', 400),
    minuteDays: Math.max(1, arg('minute-days', 2)),
    stepped: process.argv.includes('--stepped'),
    ...(dataIndex >= 0 && process.argv[dataIndex + 1] ? { dataDir: process.argv[dataIndex + 1] } : {}),
  });
  console.log(printTierBench(r));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dataIndex = process.argv.indexOf('--data');
  const options: StoreBenchOptions = {
    restaurants: arg('restaurants', 4000),
    terminals: arg('terminals', 20_000),
    minutes: Math.max(2, arg('minutes', 10)),
    eventsPerSec: arg('events-per-sec', 50),
    rewrites: Math.max(1, arg('rewrites', 1)),
    store: storeArg(),
    ...(dataIndex >= 0 && process.argv[dataIndex + 1] ? { dataDir: process.argv[dataIndex + 1] } : {}),
  };
  const r = await runStoreBench(options);
  const pgStore = r.store !== undefined && r.store !== 'sqlite';
  console.log(
    [
      `store bench (${pgStore ? `PostgreSQL ${shown(r.store ?? '')}` : 'SQLite'}): ${r.terminals} terminals in ${r.restaurants} restaurants, ${r.minutes} simulated minutes`,
      `  wrote ${r.rowsWritten} rollup rows (${r.rewrites} write(s) per restaurant-minute) and ${r.eventsWritten} lifecycle events (${r.eventsPerSec}/s)`,
      `  store write CPU: ${r.cpuPercentOfCore.toFixed(2)} % of one core (${r.cpuMs.toFixed(0)} ms CPU per ${r.minutes} min${pgStore ? `, of which PostgreSQL server ${r.serverCpuMs.toFixed(0)} ms` : ''})   target ≤ 5 %`,
      pgStore
        ? `  store call latency (async: the event loop runs meanwhile): p99 ${r.p99StallMs.toFixed(1)} ms, worst ${r.maxStallMs.toFixed(1)} ms`
        : `  event loop held per store call: p99 ${r.p99StallMs.toFixed(1)} ms, worst ${r.maxStallMs.toFixed(1)} ms`,
      `  rollup write throughput, batches of 500: ${r.insertRowsPerSec.toFixed(0)} rows/s first writes, ${r.mergeRowsPerSec.toFixed(0)} rows/s merges (HDR)`,
      `  on disk: ${(r.fileBytes / 1e6).toFixed(1)} MB, ~${r.bytesPerRow.toFixed(0)} bytes per row or event`,
    ].join('\n'),
  );
}
