/**
 * The two rollup tiers agree (issue 13 item 5): a week's figures computed from minutes, from hours
 * and across the boundary where minutes have expired are equal — counts exactly, percentiles to
 * the histograms' 1 % — and retention drops each tier at its own age.
 */
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { HOUR_MS, floorHour } from '../../core/hour-tier.ts';
import { StabilityAccumulator, type StabilityFigures } from '../../core/stability/stability-accumulator.ts';
import { DAY_MS } from './store.ts';
import type { RestaurantMinute, Store } from './store.ts';
import { describeEachEngine } from './test-helpers/engines.ts';
import type { EngineOpenOptions, StoreEngine, StorePlace } from './test-helpers/engines.ts';
import { MINUTE, minuteRow, openEvent } from './test-helpers/fixtures.ts';
import { seedFleet } from './test-helpers/fleet-month.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

// A whole day (so whole hours and whole PostgreSQL day partitions); the week is the last 7 of 8 days.
const END = Math.floor(1_764_000_000_000 / DAY_MS) * DAY_MS;
const WEEK = { from: END - 7 * DAY_MS, to: END };

async function openAt(engine: StoreEngine, options: EngineOpenOptions = {}): Promise<{ place: StorePlace; store: Store; reopen: (o: EngineOpenOptions) => Promise<Store> }> {
  const place = await engine.newPlace();
  cleanups.push(place.remove);
  let current: Store | undefined;
  const open = async (o: EngineOpenOptions) => {
    await current?.close();
    current = (await place.open({ clock: new FakeClock(END + HOUR_MS), ...o })).store;
    return current;
  };
  cleanups.push(() => current?.close());
  return { place, store: await open(options), reopen: open };
}

/** A week's figures as the stability review computes them, from what the store returns. */
async function weekFigures(store: Store, rids: string[]): Promise<{ figures: StabilityFigures; rows: RestaurantMinute[] }> {
  const rows = await store.readMinutes({ rids, from: WEEK.from, to: WEEK.to });
  const acc = new StabilityAccumulator();
  for (const r of rows) acc.add(r);
  return { figures: acc.figures(WEEK.to - WEEK.from), rows };
}

function expectSameFigures(a: StabilityFigures, b: StabilityFigures): void {
  // Every count exactly, the minutes of data too (an hour row stands for its 60: spanMinutes).
  const counts = (f: StabilityFigures) => ({ minutes: f.minutes, stability: f.stability, terminalTime: f.terminalTime, reconnects: f.reconnects, heartbeatSuccess: f.heartbeatSuccess, disconnects: f.disconnects });
  expect(counts(b)).toEqual(counts(a));
  for (const key of ['rttMs', 'deliveryMs', 'durationMs'] as const) {
    const pa = a[key] as Record<string, number> | null;
    const pb = b[key] as Record<string, number> | null;
    expect(pa).not.toBeNull();
    for (const [k, v] of Object.entries(pa!)) expect(Math.abs((pb![k] as number) - v) / v).toBeLessThanOrEqual(0.01);
  }
}

describeEachEngine('hour tier', (engine) => {
  it('a week from minutes, from hours and across the boundary gives the same figures', { timeout: 120_000 }, async () => {
    // A short long-window, so the week is read from hours once they are rolled.
    const { store, reopen } = await openAt(engine, { tiers: { longWindowMs: 2 * DAY_MS } });
    await seedFleet(store, { restaurants: 2, days: 8, end: END, batchMinutes: 720 });
    const rids = ['r-001', 'r-002'];

    const fromMinutes = await weekFigures(store, rids);
    expect(fromMinutes.rows.length).toBe(2 * 7 * 1440);

    const rolled = await store.rollUp(END + HOUR_MS);
    expect(rolled.hours).toBe(2 * 8 * 24);
    expect(rolled.through).toBe(END);
    const fromHours = await weekFigures(store, rids);
    expect(fromHours.rows.length).toBe(2 * 7 * 24);
    expect(fromHours.rows.every((r) => r.minute % HOUR_MS === 0)).toBe(true);
    expectSameFigures(fromMinutes.figures, fromHours.figures);
    // Rolling again writes nothing: every hour once.
    expect((await store.rollUp(END + HOUR_MS)).hours).toBe(0);

    // Minutes older than 4 days go; a store that reads minutes where it has them meets the boundary mid-week.
    const across = await reopen({ tiers: { longWindowMs: Infinity }, retention: { minutesMs: 4 * DAY_MS } });
    const dropped = await across.retention(END + HOUR_MS);
    expect(dropped.minutes).toBeGreaterThan(0);
    expect(dropped.hours).toBe(0);
    const mixed = await weekFigures(across, rids);
    const hourRows = mixed.rows.filter((r) => r.minute < END - 4 * DAY_MS).length;
    expect(hourRows).toBeGreaterThan(0);
    expect(mixed.rows.length).toBeGreaterThan(hourRows);
    expect(mixed.rows.length).toBeLessThan(fromMinutes.rows.length);
    expectSameFigures(fromMinutes.figures, mixed.figures);

    // The fleet paged in (minute, rid) order gives the same rows as the whole read.
    const paged: RestaurantMinute[] = [];
    let after: { minute: number; rid: string } | undefined;
    for (;;) {
      const page = await across.readMinutesPage({ from: WEEK.from, to: WEEK.to, limit: 500, ...(after ? { after } : {}) });
      paged.push(...page);
      if (page.length < 500) break;
      after = { minute: page[page.length - 1]!.minute, rid: page[page.length - 1]!.rid };
    }
    const key = (r: RestaurantMinute) => `${r.rid} ${r.minute}`;
    expect(paged.map(key).sort()).toEqual(mixed.rows.map(key).sort());
    expect(paged.map((r) => r.minute)).toEqual([...paged.map((r) => r.minute)].sort((a, b) => a - b));
  });

  it('a minute written into an hour already rolled is merged into its hour row', async () => {
    const { store } = await openAt(engine, { tiers: { longWindowMs: 0 } });
    const hour = END - 5 * HOUR_MS;
    await store.writeMinutes([minuteRow('r-001', hour, { counters: { opens: 2 } })]);
    await store.rollUp(END + HOUR_MS);
    await store.writeMinutes([minuteRow('r-001', hour + 7 * MINUTE, { counters: { opens: 3, reconnects: 1 } })]);
    expect(await store.readMinutes({ from: hour, to: hour + HOUR_MS })).toEqual([{ ...minuteRow('r-001', hour, { counters: { opens: 5, reconnects: 1 } }), spanMinutes: 60 }]);
  });

  it('retention drops each tier at its own age', async () => {
    const now = END + HOUR_MS;
    const retention = { minutesMs: 2 * DAY_MS, hoursMs: 5 * DAY_MS, eventsMs: 1 * DAY_MS };
    const { store } = await openAt(engine, { retention, tiers: { longWindowMs: Infinity } });
    // PostgreSQL drops whole partitions (a day of minutes or events, 30 days of hours): ages well clear of the cutoffs.
    const ages = { veryOld: 70 * DAY_MS, hourKept: 4 * DAY_MS, minuteGone: 3 * DAY_MS + HOUR_MS, minuteKept: HOUR_MS * 3 };
    const rows = Object.entries(ages).map(([name, age]) => minuteRow(`r-${name}`, floorHour(now - age), { counters: { opens: 1 } }));
    await store.writeMinutes(rows);
    await store.writeEvents([openEvent(now - 3 * DAY_MS, 'r-001-t1'), openEvent(now - HOUR_MS, 'r-001-t2')]);

    const counts = await store.retention(now);
    expect(counts).toMatchObject({ minutes: 3, hours: 1, events: 1 });
    const left = await store.readMinutes({ from: 0, to: Infinity });
    // The very old hour is gone from both tiers; the others are there once, from the tier that holds them.
    expect(left.map((r) => r.rid).sort()).toEqual(['r-hourKept', 'r-minuteGone', 'r-minuteKept']);
    expect(left.every((r) => r.counters.opens === 1)).toBe(true);
    expect((await store.readEvents({ from: 0, to: Infinity })).map((e) => (e.type === 'open' ? e.tid : ''))).toEqual(['r-001-t2']);
  });
});
