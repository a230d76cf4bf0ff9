import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FakeClock } from '../../core/fake-clock.ts';
import { HOUR_MS, floorHour } from '../../core/hour-tier.ts';
import { createHistogram, decodeHistogram, exactPercentile } from '../../core/histogram.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import { migrations } from './migrations.ts';
import { openSqliteStore, storeFileName } from './sqlite-store.ts';
import type { SqliteStoreOptions } from './sqlite-store.ts';
import { DAY_MS } from './store.ts';
import type { RestaurantMinute, Store } from './store.ts';
import { describeEachEngine } from './test-helpers/engines.ts';
import type { EngineOpenOptions, StoreEngine } from './test-helpers/engines.ts';
import { MINUTE, T0, authFailEvent, closeEvent, lateBeatEvent, limitEvent, minuteRow, openEvent } from './test-helpers/fixtures.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(options: Partial<SqliteStoreOptions> = {}, dir?: string) {
  const tmp = dir ? undefined : makeTempDir();
  if (tmp) cleanups.push(tmp.remove);
  const dataDir = dir ?? tmp!.dir;
  const clock = new FakeClock(T0);
  const opened = await openSqliteStore({ dataDir, clock, ...options });
  cleanups.push(() => opened.store.close());
  return { ...opened, dataDir, clock };
}

/** A store of `engine` in a place of its own (folder or schema), closed and removed after the test. */
async function openOn(engine: StoreEngine, options: EngineOpenOptions = {}) {
  const place = await engine.newPlace();
  cleanups.push(place.remove);
  const clock = new FakeClock(T0);
  const opened = await place.open({ clock, ...options });
  cleanups.push(() => opened.store.close());
  return { ...opened, place, clock };
}

const concat = (a: string, b: string) => `${a}+${b}`;

describe('schema', () => {
  it('creates a fresh file in WAL mode at the latest schema version', async () => {
    const { dataDir, recovered, file } = await open();
    expect(file).toBe(path.join(dataDir, storeFileName));
    expect(recovered).toEqual({ cleanShutdown: true, freshFile: true });
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = raw.prepare('SELECT version FROM schema_version ORDER BY version').all();
    expect(versions).toEqual(migrations.map((m) => ({ version: m.version })));
    raw.close();
  });

  it('reopens an existing file without re-running migrations and keeps its data', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const first = await open({}, tmp.dir);
    first.clock.advance(5_000);
    await first.store.writeEvents([openEvent(T0, 'r-001-t1')]);
    await first.store.close();

    const second = await open({}, tmp.dir);
    expect(second.recovered).toEqual({ cleanShutdown: true, freshFile: false, lastWriteAt: T0 + 5_000 });
    expect(await second.store.readEvents({ from: 0, to: Infinity })).toEqual([openEvent(T0, 'r-001-t1')]);
    const raw = new Database(second.file, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM schema_version').get()).toEqual({ n: migrations.length });
    raw.close();
  });

  it('refuses a file written by a newer schema', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    await (await openSqliteStore({ dataDir: tmp.dir })).store.close();
    const raw = new Database(path.join(tmp.dir, storeFileName));
    raw.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)").run();
    raw.close();
    await expect(openSqliteStore({ dataDir: tmp.dir })).rejects.toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW' });
  });
});

describeEachEngine('minutes', (engine) => {
  it('merges a second write of the same restaurant-minute exactly', async () => {
    const { store } = await openOn(engine, { mergeHistogram: concat });
    await store.writeMinutes([
      minuteRow('r-001', T0, { counters: { opens: 3, closes: 1 }, gauges: { conns: { last: 5, min: 2, max: 6 } }, histograms: { rtt: 'A', ack: 'X' } }),
    ]);
    await store.writeMinutes([
      minuteRow('r-001', T0, { counters: { opens: 2, errors: 4 }, gauges: { conns: { last: 3, min: 1, max: 4 }, other: { last: 9, min: 9, max: 9 } }, histograms: { rtt: 'B', dur: 'D' } }),
    ]);
    expect(await store.readMinutes({ from: T0, to: T0 + MINUTE })).toEqual([
      {
        rid: 'r-001',
        minute: T0,
        counters: { opens: 5, closes: 1, errors: 4 },
        gauges: { conns: { last: 3, min: 1, max: 6 }, other: { last: 9, min: 9, max: 9 } },
        histograms: { rtt: 'A+B', ack: 'X', dur: 'D' },
      },
    ]);
  });

  it('merges duplicates inside one batch in batch order', async () => {
    const { store } = await openOn(engine, { mergeHistogram: concat });
    await store.writeMinutes([
      minuteRow('r-001', T0, { counters: { n: 1 }, gauges: { g: { last: 1, min: 1, max: 1 } }, histograms: { h: '1' } }),
      minuteRow('r-001', T0, { counters: { n: 10 }, gauges: { g: { last: 7, min: 0, max: 7 } }, histograms: { h: '2' } }),
      minuteRow('r-001', T0, { counters: { n: 100 }, gauges: { g: { last: 4, min: 4, max: 4 } }, histograms: { h: '3' } }),
    ]);
    const [row] = await store.readMinutes({ from: T0, to: T0 + MINUTE });
    expect(row).toMatchObject({ counters: { n: 111 }, gauges: { g: { last: 4, min: 0, max: 7 } }, histograms: { h: '1+2+3' } });
  });

  it('rolls the whole batch back when a merge fails', async () => {
    const { store } = await openOn(engine, {
      mergeHistogram: () => {
        throw new Error('merge exploded');
      },
    });
    await store.writeMinutes([minuteRow('r-001', T0, { histograms: { rtt: 'A' } })]);
    await expect(
      store.writeMinutes([minuteRow('r-002', T0, { counters: { n: 1 } }), minuteRow('r-001', T0, { histograms: { rtt: 'B' } })]),
    ).rejects.toMatchObject({ code: 'STORE_INTERNAL' });
    expect(await store.readMinutes({ from: 0, to: Infinity })).toEqual([minuteRow('r-001', T0, { histograms: { rtt: 'A' } })]);
  });

  it('merges real HDR histograms by default: the stored minute holds every sample of both writes', async () => {
    const { store } = await openOn(engine);
    const random = seededRandom(7);
    const all: number[] = [];
    const part = () => {
      const h = createHistogram();
      for (let i = 0; i < 500; i++) {
        const v = 5 + random() * 400;
        all.push(v);
        h.record(v);
      }
      return h.encode();
    };
    await store.writeMinutes([minuteRow('r-001', T0, { histograms: { rtt: part() } })]);
    await store.writeMinutes([minuteRow('r-001', T0, { histograms: { rtt: part() } })]);
    const [row] = await store.readMinutes({ from: T0, to: T0 + MINUTE });
    const merged = decodeHistogram(row!.histograms.rtt!);
    expect(merged?.count).toBe(1000);
    for (const p of [50, 95, 99]) {
      const exact = exactPercentile(all, p)!;
      expect(Math.abs(merged!.percentile(p)! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('refuses a row that is not a whole minute, writing nothing of its batch', async () => {
    const { store } = await openOn(engine);
    await expect(store.writeMinutes([minuteRow('r-001', T0), minuteRow('r-002', T0 + 1)])).rejects.toMatchObject({ code: 'STORE_INVALID_ROW' });
    expect(await store.readMinutes({ from: 0, to: Infinity })).toEqual([]);
  });

  it('reads a half-open window ordered by (rid, minute), optionally for some restaurants', async () => {
    const { store } = await openOn(engine);
    const rows = [
      minuteRow('r-002', T0 + MINUTE),
      minuteRow('r-001', T0 + 2 * MINUTE),
      minuteRow('r-002', T0),
      minuteRow('r-001', T0),
      minuteRow('r-003', T0 + MINUTE),
      minuteRow('r-001', T0 + 3 * MINUTE),
    ];
    await store.writeMinutes(rows);
    const keys = (list: { rid: string; minute: number }[]) => list.map((r) => `${r.rid}@${(r.minute - T0) / MINUTE}`);
    expect(keys(await store.readMinutes({ from: T0, to: T0 + 3 * MINUTE }))).toEqual(['r-001@0', 'r-001@2', 'r-002@0', 'r-002@1', 'r-003@1']);
    expect(keys(await store.readMinutes({ rids: ['r-003', 'r-001'], from: T0 + MINUTE, to: T0 + 4 * MINUTE }))).toEqual(['r-001@2', 'r-001@3', 'r-003@1']);
    expect(await store.readMinutes({ rids: [], from: 0, to: Infinity })).toEqual([]);
  });
});

describeEachEngine('events', (engine) => {
  it('round-trips every lifecycle type and orders by time, then insertion', async () => {
    const { store } = await openOn(engine);
    const a = openEvent(T0 + 10, 'r-001-t1');
    const b = closeEvent(T0 + 5, 'r-001-t1', 4008);
    const c = authFailEvent(T0 + 10, { rid: 'r-002', tid: 'r-002-t9' });
    const d = limitEvent(T0 + 10, 'r-002-t1');
    const e = authFailEvent(T0 + 1);
    const f = lateBeatEvent(T0 + 7, 'r-001-t1');
    await store.writeEvents([a, b]);
    await store.writeEvents([c, d, e, f]);
    expect(await store.readEvents({ from: T0, to: T0 + 11 })).toEqual([e, b, f, a, c, d]);
    expect(await store.readEvents({ tid: 'r-001-t1', from: T0, to: T0 + 11 })).toEqual([b, f, a]);
  });

  it('filters by terminal, restaurant, restaurant list, window and limit', async () => {
    const { store } = await openOn(engine);
    const list = [
      openEvent(T0, 'r-001-t1'),
      openEvent(T0 + 1, 'r-001-t2'),
      openEvent(T0 + 2, 'r-002-t1'),
      closeEvent(T0 + 3, 'r-001-t1'),
      closeEvent(T0 + 4, 'r-003-t1'),
      openEvent(T0 + 5, 'r-001-t1'),
    ];
    await store.writeEvents(list);
    const at = (events: { t: number }[]) => events.map((e) => e.t - T0);
    expect(at(await store.readEvents({ tid: 'r-001-t1', from: T0, to: T0 + 100 }))).toEqual([0, 3, 5]);
    expect(at(await store.readEvents({ tid: 'r-001-t1', from: T0 + 1, to: T0 + 5 }))).toEqual([3]);
    expect(at(await store.readEvents({ rid: 'r-001', from: T0, to: T0 + 100 }))).toEqual([0, 1, 3, 5]);
    expect(at(await store.readEvents({ rids: ['r-002', 'r-003'], from: T0, to: T0 + 100 }))).toEqual([2, 4]);
    expect(at(await store.readEvents({ rid: 'r-001', rids: ['r-002'], from: T0, to: T0 + 100 }))).toEqual([]);
    expect(at(await store.readEvents({ rid: 'r-001', from: T0, to: T0 + 100, limit: 2 }))).toEqual([0, 1]);
    expect(await store.readEvents({ rids: [], from: T0, to: T0 + 100 })).toEqual([]);
    await expect(store.readEvents({ from: T0, to: T0 + 100, limit: -1 })).rejects.toMatchObject({ code: 'STORE_INVALID_ROW' });
  });
});

describeEachEngine('knownTerminals', (engine) => {
  it('knows authenticated terminals by their latest sighting, not auth failures', async () => {
    const { store } = await openOn(engine);
    await store.writeEvents([
      openEvent(T0, 'r-001-t1'),
      closeEvent(T0 + 100, 'r-001-t1'),
      limitEvent(T0 + 50, 'r-002-t1'),
      openEvent(T0 - DAY_MS, 'r-003-t1'),
      authFailEvent(T0 + 200, { rid: 'r-009', tid: 'r-009-t1' }),
    ]);
    // The same terminal id in another restaurant is another terminal (issue 18, item 3).
    await store.writeEvents([Object.assign(openEvent(T0 + 300, 'r-002-t1'), { rid: 'r-005' })]);
    await store.writeEvents([openEvent(T0 + 10, 'r-001-t1')]); // older than what is known: lastSeen stays
    const known = await store.knownTerminals(T0 - 1000);
    expect(Object.fromEntries(known)).toEqual({
      [terminalKey('r-001', 'r-001-t1')]: { rid: 'r-001', tid: 'r-001-t1', lastSeen: T0 + 100, lastClose: T0 + 100 },
      [terminalKey('r-002', 'r-002-t1')]: { rid: 'r-002', tid: 'r-002-t1', lastSeen: T0 + 50 },
      [terminalKey('r-005', 'r-002-t1')]: { rid: 'r-005', tid: 'r-002-t1', lastSeen: T0 + 300 },
    });
    expect((await store.knownTerminals(0)).has(terminalKey('r-003', 'r-003-t1'))).toBe(true);
  });
});

describeEachEngine('retention', (engine) => {
  // SQLite deletes exactly what is older than the cutoff; PostgreSQL drops whole day partitions,
  // so a row of the cutoff's own day stays until the next day's run (never deleted early).
  // Minutes go by whole hours (their hour rows stay, src/core/hour-tier.ts), or whole days in PostgreSQL.
  const gone = (t: number, cut: number, unit = engine.retentionGranularityMs) => t < Math.floor(cut / unit) * unit;
  const minuteUnit = Math.max(HOUR_MS, engine.retentionGranularityMs);

  it('deletes what is older than 30 days (minutes) and 7 days (events), at the engine\'s granularity', async () => {
    // Reads as the hour tier plans them for a window of any length (minutes where they are kept).
    const { store } = await openOn(engine, { retentionChunk: 2, retention: { minutesMs: 30 * DAY_MS }, tiers: { longWindowMs: Infinity } });
    const now = T0 + 40 * DAY_MS;
    const minuteCut = now - 30 * DAY_MS;
    const eventCut = now - 7 * DAY_MS;
    const minutes = [
      ...[1, 2, 3, 4, 5].map((k) => minuteRow(`r-00${k}`, minuteCut - DAY_MS - k * MINUTE)), // a day older: gone in both
      minuteRow('r-006', minuteCut - MINUTE), // the cutoff's day: SQLite only
      minuteRow('r-001', minuteCut),
      minuteRow('r-002', now - MINUTE),
    ];
    await store.writeMinutes(minutes);
    const events = [
      openEvent(eventCut - DAY_MS - 1, 'r-001-t1'),
      closeEvent(eventCut - 2 * DAY_MS, 'r-001-t2'),
      authFailEvent(eventCut - DAY_MS - 5),
      openEvent(eventCut - 1, 'r-001-t4'), // the cutoff's day
      openEvent(eventCut, 'r-001-t3'),
      closeEvent(now, 'r-001-t1'),
    ];
    await store.writeEvents(events);
    await store.writeEvents([openEvent(T0, 'r-007-t1')]); // last seen 40 days ago: forgotten, in both engines exactly

    const byKey = (a: RestaurantMinute, b: RestaurantMinute) => a.rid.localeCompare(b.rid) || a.minute - b.minute;
    const keptMinutes = minutes.filter((r) => !gone(r.minute, minuteCut, minuteUnit)).sort(byKey);
    // Each deleted minute is alone in its hour here: its hour row holds just it.
    // Read back from the hour tier, each stands for its hour's 60 minutes (RestaurantMinute.spanMinutes).
    const hourRows = minutes.filter((r) => gone(r.minute, minuteCut, minuteUnit)).map((r) => ({ ...r, minute: floorHour(r.minute), spanMinutes: 60 }));
    const keptEvents = events.filter((e) => !gone(e.t, eventCut)).sort((a, b) => a.t - b.t);
    expect(minutes.length - keptMinutes.length).toBeGreaterThanOrEqual(5);
    expect(await store.retention(now)).toEqual({ minutes: minutes.length - keptMinutes.length, hours: 0, events: events.length - keptEvents.length + 1, terminals: 1 });
    expect(await store.readMinutes({ from: 0, to: Infinity })).toEqual([...keptMinutes, ...hourRows].sort(byKey));
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual(keptEvents);
    expect([...(await store.knownTerminals(0)).values()].map((k) => k.tid).sort()).toEqual(['r-001-t1', 'r-001-t2', 'r-001-t3', 'r-001-t4']);
    expect(await store.retention(now)).toEqual({ minutes: 0, hours: 0, events: 0, terminals: 0 });
  });

  it('follows a configured policy', async () => {
    const { store } = await openOn(engine, { retention: { eventsMs: 2 * DAY_MS } });
    await store.writeEvents([openEvent(T0 - 3 * DAY_MS, 'r-001-t1'), openEvent(T0, 'r-001-t1')]);
    expect(await store.retention(T0)).toEqual({ minutes: 0, hours: 0, events: 1, terminals: 0 });
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual([openEvent(T0, 'r-001-t1')]);
  });
});

describeEachEngine('close', (engine) => {
  it('is idempotent, refuses later calls and leaves a clean-shutdown marker', async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const { store } = await place.open();
    await store.close();
    await store.close();
    const calls: ((s: Store) => Promise<unknown>)[] = [
      (s) => s.writeEvents([openEvent(T0, 'r-001-t1')]),
      (s) => s.writeMinutes([]),
      (s) => s.readMinutes({ from: 0, to: 1 }),
      (s) => s.readEvents({ from: 0, to: 1 }),
      (s) => s.knownTerminals(0),
      (s) => s.retention(T0),
    ];
    for (const call of calls) await expect(call(store)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    const again = await place.open();
    expect(again.recovered).toMatchObject({ cleanShutdown: true, freshFile: false });
    await again.store.close();
  });
});
