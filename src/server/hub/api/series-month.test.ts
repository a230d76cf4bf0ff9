/**
 * A 30-day fleet series on a real hub over a store of 30 restaurants × 30 days (1.3 M minute rows,
 * issue 18 item 10): it answers, in bounded memory, `/healthz` answers while it runs, and beyond
 * two long series at once the call is refused with 503 QUERY_BUSY and Retry-After. Time figures
 * are `npm run bench:series`'s; here only sanity bounds. SQLite: the engine whose reads block the
 * event loop (the streamed read's equality with the old path, on both engines: series-query.test.ts).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { createLogger } from '../../log/logger.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Store } from '../../store/store.ts';
import { seedFleet } from '../../store/test-helpers/fleet-month.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { startHub, type Hub } from '../hub.ts';
import { queryBusyRetryAfterS } from './series-limit.ts';

const secret = 'month-test-secret-0123456789abcdef';
const support = signViewerToken(secret, { sub: 'sam', role: 'support' }, 3600);
const DAY = 86_400_000;
const END = Math.floor(Date.now() / DAY) * DAY;
const monthPath = `/api/fleet/series?from=${END - 30 * DAY}&to=${END}`;

let hub: Hub;
let store: Store;
const tmp = makeTempDir('pulse-month-');

beforeAll(async () => {
  const opened = await openSqliteStore({ dataDir: tmp.dir });
  store = opened.store;
  expect(await seedFleet(store, { restaurants: 30, days: 30, end: END, batchMinutes: 240 })).toBe(30 * 30 * 1440);
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, recovered: opened.recovered, logger: createLogger({ level: 'warn', destination: quiet }), staticDir: `${tmp.dir}/no-dist`, tickPhaseMs: null });
}, 240_000);

afterAll(async () => {
  await hub?.close();
  await store?.close();
  tmp.remove();
});

const get = (path: string) => fetch(hub.url + path, { headers: { authorization: `Bearer ${support}` } });

describe('a 30-day fleet series over 1.3 M rows', () => {
  it('answers every bucket in bounded memory while /healthz stays answered', async () => {
    let peakHeap = process.memoryUsage().heapUsed;
    const base = peakHeap;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 25);
    const health: number[] = [];
    let done = false;
    const series = get(monthPath).finally(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      const h = await fetch(`${hub.url}/healthz`);
      expect(h.status).toBe(200);
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(sampler);
    const res = await series;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bucketMs: number; restaurants: number; points: { t: number; minutes: number; connections: { last: number } }[]; total: { minutes: number } };
    expect(body.bucketMs).toBe(2 * 3_600_000);
    expect(body.restaurants).toBe(30);
    expect(body.points).toHaveLength(360);
    expect(body.points.every((p) => p.minutes === 120)).toBe(true);
    expect(body.total.minutes).toBe(30 * 1440);
    // /healthz was asked many times during the query and never waited long (the old path held the
    // loop for the whole read: ~15 s). Sanity bounds on a shared machine, not performance figures:
    // 5 s is a third of the old stall, and a loaded 2-core machine once took 2.2 s here.
    expect(health.length).toBeGreaterThan(5);
    expect(Math.max(...health)).toBeLessThan(5_000);
    // The old path held every row at once: ~2 GB. Streamed: one chunk and 360 accumulators.
    expect(peakHeap - base).toBeLessThan(300 * 2 ** 20);
  }, 240_000);

  it('refuses a third long series at once with 503 QUERY_BUSY and Retry-After, and serves the two', async () => {
    const answers = await Promise.all([0, 1, 2, 3].map(() => get(monthPath)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503]);
    for (const r of answers.filter((a) => a.status === 503)) {
      expect(r.headers.get('retry-after')).toBe(String(queryBusyRetryAfterS));
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('QUERY_BUSY');
    }
    // A short window is never refused, even while long ones run.
    const long = get(monthPath);
    const short = await get(`/api/fleet/series?from=${END - 3_600_000}&to=${END}`);
    expect(short.status).toBe(200);
    expect((await long).status).toBe(200);
  }, 240_000);
});
