/**
 * The stability review read in pages (stability-source.ts, readMinuteSteps) on both engines:
 * the same answer as the old whole-window read for the fleet, a manager's list and a tag, and the
 * review counts against the API's heavy-query limit — a third concurrent review over a day is
 * refused with QUERY_BUSY while two run.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDirectory } from '../../core/directory/restaurant-directory.ts';
import type { Store } from '../store/store.ts';
import { describeEachEngine, type StorePlace } from '../store/test-helpers/engines.ts';
import { seedFleet } from '../store/test-helpers/fleet-month.ts';
import { createHeavyLimit, QueryBusyError } from '../hub/api/series-limit.ts';
import { answerStability, type StabilityDeps } from './stability-api.ts';
import { stabilitySourceOfStore, wholeWindowSourceOfStore, type StabilitySource } from './stability-source.ts';

const MIN = 60_000;
const DAY = 1_440 * MIN;
const END = 1_700_006_400_000 - (1_700_006_400_000 % DAY) + 7 * MIN;
// r-006 has data but no entry: the fleet review must still find it in the pages.
const directory = createDirectory([
  { rid: 'r-001', name: 'One', closedDates: [], tags: ['region:north'] },
  { rid: 'r-002', name: 'Two', closedDates: [], tags: ['region:south'], hours: { timezone: 'Europe/Paris', days: { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']], wed: [['08:00', '20:00']], thu: [['08:00', '20:00']], fri: [['08:00', '20:00']] } } },
  { rid: 'r-003', name: 'Three', closedDates: [], tags: ['region:north'] },
  { rid: 'r-009', name: 'No data', closedDates: [], tags: [] },
]);

describeEachEngine('the paged stability review', (engine) => {
  let place: StorePlace;
  let store: Store;
  beforeEach(async () => {
    place = await engine.newPlace();
    ({ store } = await place.open());
    await seedFleet(store, { restaurants: 6, days: 2, end: END, batchMinutes: 720 });
  });
  afterEach(async () => {
    await store.close();
    await place.remove();
  });

  const query = (extra = '') => new URLSearchParams(`from=${END - DAY}&to=${END}${extra}`);
  const answer = (source: StabilitySource, restaurants: string[] | null, extra = '', heavy?: StabilityDeps['heavy']) =>
    answerStability({ source, directory: () => directory, ...(heavy ? { heavy } : {}) }, { restaurants, query: query(extra), now: END });

  it('deep-equals the whole-window read for the fleet, a manager and a tag', async () => {
    // 50-row pages: hundreds of steps over the 17,280 seeded minutes.
    const paged = stabilitySourceOfStore(store, 50);
    const whole = wholeWindowSourceOfStore(store);
    for (const [restaurants, extra] of [[null, ''], [['r-001', 'r-002', 'r-009'], ''], [null, '&tag=region%3Anorth'], [['r-002', 'r-003'], '&tag=region%3Asouth']] as const) {
      const a = await answer(paged, restaurants ? [...restaurants] : null, extra);
      const b = await answer(whole, restaurants ? [...restaurants] : null, extra);
      expect(a).toEqual(b);
      expect(a.answer.restaurants.length).toBeGreaterThan(0);
    }
    const fleet = await answer(paged, null);
    expect(fleet.answer.restaurants.map((r) => r.rid).sort()).toEqual(['r-001', 'r-002', 'r-003', 'r-004', 'r-005', 'r-006', 'r-009']);
    expect(fleet.answer.scope.current.minutes).toBeGreaterThan(0);
  });

  it('counts against the heavy-query limit: a third concurrent review is refused with QUERY_BUSY', async () => {
    const heavy = createHeavyLimit(2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const real = stabilitySourceOfStore(store);
    // The real store's pages, held back until the third call has been answered.
    const held: StabilitySource = { minutes: async (...args) => { await gate; return real.minutes(...args); } };
    const running = [answer(held, null, '', heavy), answer(held, null, '', heavy)];
    await expect(answer(held, null, '', heavy)).rejects.toSatisfy((e) => e instanceof QueryBusyError && e.code === 'QUERY_BUSY');
    // A review of a day or less (two windows of 12 h) is not heavy and still runs.
    const light = await answerStability({ source: real, directory: () => directory, heavy }, { restaurants: null, query: new URLSearchParams(`from=${END - DAY / 2}&to=${END}`), now: END });
    expect(light.answer.period).toBe('custom');
    release();
    await Promise.all(running);
    expect(heavy.running).toBe(0);
    await answer(held, null, '', heavy);
  });
});
