/**
 * The storage tiers at a year's scale (issue 13 item 5), SQLite: `npm run bench:store -- --tiers
 * [--restaurants 1000] [--days 400] [--minute-days 2] [--data DIR]`.
 *
 * Seeding: the hour tier is written straight into its table, a year of hour rows in big
 * transactions (~10 M rows in well under the time rolling them would take), and the position set
 * as if the roll-up had made them; the last `--minute-days` days also get their minutes through
 * the store's own write path, then the store's roll-up rolls those days itself. Rows are realistic:
 * each hour row is the roll-up (core rollHour) of 60 minutes of the shape the hub writes, drawn
 * from a pool of pre-rolled ones. A year's size counts the minute tier at its kept 14 days from
 * the measured bytes per minute-day (seeding 20 M minutes is what takes hours).
 *
 * Timed, through the real API answers (src/server/stability) and the store's tiered reads:
 * the 30-day ranking of 500 restaurants, a restaurant's 90-day page, the week report of 500.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { seededRandom } from '../../src/core/clock.ts';
import { emptyDirectory } from '../../src/core/directory/restaurant-directory.ts';
import { FakeClock } from '../../src/core/fake-clock.ts';
import { HOUR_MS, encodePosition, rollHour } from '../../src/core/hour-tier.ts';
import type { RestaurantMinute } from '../../src/core/rollup.ts';
import { answerRestaurantStability } from '../../src/server/stability/restaurant-stability-api.ts';
import { answerStability } from '../../src/server/stability/stability-api.ts';
import { stabilitySourceOfStore, type StabilitySource } from '../../src/server/stability/stability-source.ts';
import { renderWeekReport } from '../../src/server/stability/week-report.ts';
import { encodeRow } from '../../src/server/store/row-codec.ts';
import { openSqliteStore, storeFileName } from '../../src/server/store/sqlite-store.ts';
import { minutesFromKey, positionKey } from '../../src/server/store/sqlite-tiers.ts';
import { DAY_MS, type Store } from '../../src/server/store/store.ts';
import { fleetMinute, seedPools } from '../../src/server/store/test-helpers/fleet-month.ts';

export type TierBenchOptions = { restaurants: number; days: number; minuteDays: number; dataDir?: string; /** Also time the API's own path (readMinuteSteps), which is slow at this scale. */ stepped?: boolean };

const MINUTE = 60_000;
const rid = (r: number) => `r-${String(r + 1).padStart(3, '0')}`;

/** Hour rows to draw from: each the roll-up of 60 realistic minutes of one restaurant. */
function hourPool(size: number): RestaurantMinute[] {
  const random = seededRandom(11);
  const pools = seedPools();
  return Array.from({ length: size }, () => {
    const minutes = Array.from({ length: 60 }, (_, m) => fleetMinute(m * MINUTE, 1, random, pools)[0]!);
    return rollHour('r-000', 0, minutes).row;
  });
}

const fileBytes = (dir: string) => ['', '-wal'].reduce((sum, s) => sum + (fs.statSync(path.join(dir, storeFileName + s), { throwIfNoEntry: false })?.size ?? 0), 0);

/** Pages of one list of restaurants over the whole window, so the store plans its tiers on the window (see the report). */
const pagedSource = (store: Store): StabilitySource => ({
  async minutes(rids, from, to, each) {
    let after: { minute: number; rid: string } | undefined;
    for (;;) {
      const rows = await store.readMinutesPage({ ...(rids ? { rids } : {}), from, to, limit: 5_000, ...(after ? { after } : {}) });
      each(rows);
      if (rows.length < 5_000) return;
      after = { minute: rows[rows.length - 1]!.minute, rid: rows[rows.length - 1]!.rid };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  },
});

const withoutRowCounts = (v: unknown) => JSON.stringify(v, (key, value: unknown) => (key === 'minutes' ? undefined : value));

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function runTierBench(o: TierBenchOptions) {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-tier-bench-'));
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const now = end + 30 * MINUTE;
  const hoursEnd = end - o.minuteDays * DAY_MS;
  const start = end - o.days * DAY_MS;
  const clock = new FakeClock(now);

  // 1. The schema, then the hour tier straight into its table.
  await (await openSqliteStore({ dataDir, clock })).store.close();
  const pool = hourPool(256).map(encodeRow);
  const db = new Database(path.join(dataDir, storeFileName));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare('INSERT INTO hours (rid, hour, counters, gauges, histograms) VALUES (?, ?, ?, ?, ?)');
  const t0 = performance.now();
  let k = 0;
  const day = db.transaction((from: number) => {
    for (let h = from; h < from + DAY_MS; h += HOUR_MS) {
      for (let r = 0; r < o.restaurants; r++) {
        const s = pool[k++ % pool.length]!;
        insert.run(rid(r), h, s.counters, s.gauges, s.histograms);
      }
    }
  });
  for (let d = start; d < hoursEnd; d += DAY_MS) day(d);
  // As if the roll-up had made them and retention had since taken their minutes.
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  setMeta.run(positionKey, encodePosition({ hour: hoursEnd }));
  setMeta.run(minutesFromKey, String(hoursEnd));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const hourSeedMs = performance.now() - t0;
  const hoursOnly = fileBytes(dataDir);
  const hourDays = (hoursEnd - start) / DAY_MS;

  // 2. The last days as minutes, through the store; then its own roll-up of them.
  let { store } = await openSqliteStore({ dataDir, clock });
  const random = seededRandom(5);
  const pools = seedPools();
  const t1 = performance.now();
  for (let t = hoursEnd; t < end; t += 10 * MINUTE) {
    const rows: RestaurantMinute[] = [];
    for (let m = t; m < t + 10 * MINUTE; m += MINUTE) rows.push(...fleetMinute(m, o.restaurants, random, pools));
    await store.writeMinutes(rows);
  }
  const minuteSeedMs = performance.now() - t1;
  await store.close(); // the WAL folded into the file, so sizes are the file's
  const withMinutes = fileBytes(dataDir);
  ({ store } = await openSqliteStore({ dataDir, clock }));
  const rolled = await timed(() => store.rollUp(now));

  // 3. The answers, timed.
  const rids = Array.from({ length: Math.min(500, o.restaurants) }, (_, r) => rid(r));
  const paged = pagedSource(store);
  const stepped = stabilitySourceOfStore(store);
  const ranking = (source: StabilitySource) => timed(() => answerStability({ source, directory: () => emptyDirectory }, { restaurants: rids, query: new URLSearchParams('period=30d'), now }));
  const page = (source: StabilitySource) => timed(() => answerRestaurantStability({ source, directory: () => emptyDirectory }, { rid: rid(0), query: new URLSearchParams('period=90d'), now }));
  const week = (source: StabilitySource) =>
    timed(async () => {
      const { answer } = await answerStability({ source, directory: () => emptyDirectory }, { restaurants: rids, query: new URLSearchParams(`from=${end - 7 * DAY_MS}&to=${end}`), now });
      return renderWeekReport(answer, { week: 'bench', scopeLabel: `${rids.length} restaurants`, generatedAt: now });
    });
  const rankingPaged = await ranking(paged);
  const pagePaged = await page(paged);
  const weekPaged = await week(paged);
  const skipped = { ms: NaN, value: rankingPaged.value };
  const rankingStepped = o.stepped ? await ranking(stepped) : skipped;
  const pageStepped = o.stepped ? await page(stepped) : { ms: NaN };
  const weekStepped = o.stepped ? await week(stepped) : { ms: NaN };
  await store.close();
  const total = fileBytes(dataDir);
  if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });

  const hourBytesPerRestaurantDay = hoursOnly / (o.restaurants * hourDays);
  const minuteBytesPerRestaurantDay = (withMinutes - hoursOnly) / (o.restaurants * o.minuteDays);
  return {
    ...o,
    hourRows: o.restaurants * hourDays * 24,
    hourSeedMs,
    minuteRows: o.restaurants * o.minuteDays * 1440,
    minuteSeedMs,
    rollUp: { ms: rolled.ms, ...rolled.value },
    fileBytes: total,
    hourBytesPerRestaurantDay,
    minuteBytesPerRestaurantDay,
    bytesPerMinuteRow: minuteBytesPerRestaurantDay / 1440,
    /** 400 days of hours and 14 of minutes, for 1,000 restaurants. */
    yearBytes: 1000 * (400 * hourBytesPerRestaurantDay + 14 * minuteBytesPerRestaurantDay),
    rankingMs: { paged: rankingPaged.ms, stepped: rankingStepped.ms },
    rankingRestaurants: rankingPaged.value.answer.restaurants.length,
    pageMs: { paged: pagePaged.ms, stepped: pageStepped.ms },
    weekMs: { paged: weekPaged.ms, stepped: weekStepped.ms },
    weekHtmlBytes: weekPaged.value.length,
    // `minutes` counts rows, and a row of the hour tier is one: the only figure the two paths may differ in.
    sameAnswers: !o.stepped ? ('not compared (no --stepped)' as const) : withoutRowCounts(rankingPaged.value.answer.restaurants) === withoutRowCounts(rankingStepped.value.answer.restaurants),
  };
}

export function printTierBench(r: Awaited<ReturnType<typeof runTierBench>>): string {
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  return [
    `tier bench (SQLite): ${r.restaurants} restaurants, ${r.days} days — hours seeded straight into the table, the last ${r.minuteDays} days as minutes through the store`,
    `  seeded ${r.hourRows} hour rows in ${(r.hourSeedMs / 1000).toFixed(1)} s, ${r.minuteRows} minute rows in ${(r.minuteSeedMs / 1000).toFixed(1)} s; the store rolled ${r.rollUp.hours} hours in ${r.rollUp.batches} batches, ${(r.rollUp.ms / 1000).toFixed(1)} s`,
    `  bytes per restaurant-day: ${r.hourBytesPerRestaurantDay.toFixed(0)} B in hours, ${r.minuteBytesPerRestaurantDay.toFixed(0)} B in minutes (${r.bytesPerMinuteRow.toFixed(0)} B per restaurant-minute)`,
    `  on disk: ${mb(r.fileBytes)}; a year of 1,000 restaurants (400 d of hours + 14 d of minutes): ${(r.yearBytes / 1e9).toFixed(2)} GB   target ≤ 5 GB`,
    `  30-day ranking of ${r.rankingRestaurants}: ${r.rankingMs.paged.toFixed(0)} ms paged over the window, ${Number.isNaN(r.rankingMs.stepped) ? '–' : r.rankingMs.stepped.toFixed(0)} ms through readMinuteSteps   target ≤ 300 ms`,
    `  a restaurant's 90-day page: ${r.pageMs.paged.toFixed(0)} ms paged, ${r.pageMs.stepped.toFixed(0)} ms stepped   target ≤ 200 ms`,
    `  week report of ${r.rankingRestaurants}: ${r.weekMs.paged.toFixed(0)} ms paged, ${r.weekMs.stepped.toFixed(0)} ms stepped (${(r.weekHtmlBytes / 1e3).toFixed(0)} kB HTML)   target ≤ 5 s`,
    `  both read paths gave the same ranking (all figures but the row count \`minutes\`): ${String(r.sameAnswers)}`,
  ].join('\n');
}
