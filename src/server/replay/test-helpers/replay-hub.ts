/**
 * A real hub over a fresh SQLite store seeded with the given rows, for the replay endpoints' tests:
 * `base` is a whole minute an hour ago (so the seeded minutes are settled and inside every window),
 * `get(path, bearer)` calls the hub's REST API. Everything is closed by `cleanup()`.
 */
import { signViewerToken } from '../../auth/tokens.ts';
import { createMemoryBus } from '../../bus/memory-bus.ts';
import { startHub } from '../../hub/hub.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { LifecycleEvent, RestaurantMinute } from '../../store/store.ts';
import { closeEvent, openEvent } from '../../store/test-helpers/fixtures.ts';
import { makeTempDir } from '../../store/test-helpers/temp-dir.ts';

const secret = 'replay-test-secret-0123456789abcdef';
export const replayTokens = {
  engineer: signViewerToken(secret, { sub: 'erin', role: 'engineer' }),
  manager: signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] }),
};

export function replayBase(): number {
  return Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
}

/** r-001 (one terminal) and r-002 (two) connected from `base` + 1 s; r-002 offline at `base` + 120 s (1006). */
export function r002Outage(base: number): LifecycleEvent[] {
  return [
    openEvent(base + 1000, 'r-001-t1', 'a1'),
    openEvent(base + 1000, 'r-002-t1', 'b1'),
    openEvent(base + 2000, 'r-002-t2', 'b2'),
    closeEvent(base + 120_000, 'r-002-t1', 1006, 'b1'),
    closeEvent(base + 120_000, 'r-002-t2', 1006, 'b2'),
  ];
}

/** An `afterEach` that runs what each test registered, last first. */
export function cleanupsAfterEach(afterEach: (fn: () => Promise<void>) => void): (() => Promise<void> | void)[] {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return cleanups;
}

export async function startReplayHub(cleanups: (() => Promise<void> | void)[], seed: { events: LifecycleEvent[]; minutes: RestaurantMinute[] }) {
  const tmp = makeTempDir('pulse-replay-');
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  await store.writeEvents(seed.events);
  await store.writeMinutes(seed.minutes);
  const hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, recovered, staticDir: `${tmp.dir}/no-dist`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50 });
  cleanups.push(() => hub.close());
  const get = async (path: string, bearer = replayTokens.engineer) => {
    const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return { get };
}
