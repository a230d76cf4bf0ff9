/** A real hub (memory bus, SQLite store seeded with two weeks of minutes, a directory) for the stability tests. */
import { Writable } from 'node:stream';
import { createDirectory, type RestaurantEntry } from '../../../core/directory/restaurant-directory.ts';
import type { RestaurantMinute } from '../../../core/rollup.ts';
import type { DirectoryWatch } from '../../directory/directory-watch.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import { createLogger } from '../../log/logger.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';
import { signViewerToken } from '../../auth/tokens.ts';

export const secret = 'stability-api-secret-0123456789abcdef';
export const MIN = 60_000;
const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** One stored minute per hour over the last 14 days; `share(daysAgo)` healthy of 4 expected terminals. */
function history(rid: string, now: number, share: (daysAgo: number) => number): RestaurantMinute[] {
  const rows: RestaurantMinute[] = [];
  const end = Math.floor(now / HOUR) * HOUR - HOUR;
  for (let t = end - 14 * DAY + HOUR; t <= end; t += HOUR) {
    const daysAgo = (now - t) / DAY;
    rows.push({ rid, minute: t, counters: { expectedMs: 4 * MIN, healthyMs: 4 * MIN * share(daysAgo), connectedMs: 4 * MIN * share(daysAgo), reconnects: 1 }, gauges: {}, histograms: {} });
  }
  return rows;
}

/** `cleanups` receives what the caller runs after the test, in reverse order. */
export async function seededHub(cleanups: (() => Promise<void> | void)[], now = Date.now(), more: { minutes?: RestaurantMinute[]; entries?: RestaurantEntry[]; watch?: Pick<DirectoryWatch, 'current' | 'editor'> } = {}): Promise<Hub> {
  const tmp = makeTempDir('pulse-stability-api-');
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  await store.writeMinutes([
    // Getting worse: 100 % the week before, 50 % this week.
    ...history('r-001', now, (d) => (d < 7 ? 0.5 : 1)),
    // Getting better: 75 % → 100 %.
    ...history('r-002', now, (d) => (d < 7 ? 1 : 0.75)),
    // Another manager's restaurant, the worst of all.
    ...history('r-003', now, () => 0.25),
    ...(more.minutes ?? []),
  ]);
  const directory = createDirectory([
    { rid: 'r-001', name: 'Lille <b>centre</b>', closedDates: [], tags: ['region:north', 'brand:burgers'] },
    { rid: 'r-002', name: 'Leeds', closedDates: [], tags: ['region:south'] },
    { rid: 'r-003', name: 'Secret', closedDates: [], tags: ['region:north', 'brand:hidden'] },
    ...(more.entries ?? []),
  ]);
  const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
  const hub = await startHub({
    secret, port: 0, bus: createMemoryBus(), store, recovered, ...(more.watch ? { directory: more.watch.current, directoryEditor: more.watch.editor } : { directory: () => directory }),
    logger: createLogger({ level: 'error', destination: quiet }), staticDir: `${tmp.dir}/no-dist`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50,
  });
  cleanups.push(() => hub.close());
  return hub;
}


/** Viewer tokens of the seeded hub: support sees all, the manager r-001 and r-002. */
export const support = signViewerToken(secret, { sub: 'sam', role: 'support' });
export const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001', 'r-002'] });

/** A GET with a viewer token: the status and the parsed JSON body. */
export async function getJson(hub: Hub, path: string, token: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}
