/**
 * `GET /api/replay/markers` on a real hub over a seeded SQLite store: an r-002 outage and a flood
 * of refused tokens an hour ago are among the markers, at their instants; a manager of r-001 gets
 * neither r-002's markers nor the unplaced refused tokens, and fleet markers over r-001 alone; a
 * window too wide, too old or too heavy is refused with a stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { replayMarkersAnswerSchema } from '../../protocol/replay.ts';
import { signViewerToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startHub } from '../hub/hub.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { DAY_MS } from '../store/store.ts';
import { authFailEvent, closeEvent, minuteRow, openEvent } from '../store/test-helpers/fixtures.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { answerReplayMarkers } from './replay-markers.ts';

const secret = 'replay-markers-secret-0123456789abcdef';
const token = {
  engineer: signViewerToken(secret, { sub: 'erin', role: 'engineer' }),
  manager: signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] }),
};
const S = 1000;
const M = 60 * S;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const conns = (n: number) => ({ gauges: { connections: { last: n, min: n, max: n } } });

async function seededStore() {
  const tmp = makeTempDir('pulse-markers-');
  cleanups.push(tmp.remove);
  const { store, recovered } = await openSqliteStore({ dataDir: tmp.dir });
  cleanups.push(() => store.close());
  return { store, recovered, dir: tmp.dir };
}

async function seededHub() {
  // An hour ago, on a whole minute: r-002 (2 terminals) goes offline at base + 2 min + 5 s.
  const base = Math.floor((Date.now() - 3_600_000) / M) * M;
  const { store, recovered, dir } = await seededStore();
  await store.writeEvents([
    openEvent(base + 1 * S, 'r-001-t1', 'a1'),
    openEvent(base + 1 * S, 'r-002-t1', 'b1'),
    openEvent(base + 2 * S, 'r-002-t2', 'b2'),
    closeEvent(base + 2 * M + 5 * S, 'r-002-t1', 1006, 'b1'),
    closeEvent(base + 2 * M + 5 * S, 'r-002-t2', 1006, 'b2'),
    ...Array.from({ length: 12 }, (_, i) => authFailEvent(base + 3 * M + 10 * S + i, { rid: 'r-001', tid: 'r-001-t9' })),
  ]);
  const rows = [0, 1, 2, 3].flatMap((i) => [minuteRow('r-001', base + i * M, conns(1)), minuteRow('r-002', base + i * M, conns(i < 2 ? 2 : 0))]);
  await store.writeMinutes(rows);
  const hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, recovered, staticDir: `${dir}/no-dist`, tickMs: 100, tickPhaseMs: null, flushIntervalMs: 50 });
  cleanups.push(() => hub.close());
  const get = async (params: string, bearer = token.engineer) => {
    const res = await fetch(`${hub.url}/api/replay/markers?${params}`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return { base, get };
}

describe('GET /api/replay/markers', () => {
  it('finds the r-002 outage and the refused-token spike at their instants', async () => {
    const { base, get } = await seededHub();
    const res = await get(`from=${base}&to=${base + 10 * M}`);
    expect(res.status).toBe(200);
    const answer = replayMarkersAnswerSchema.parse(res.body);
    expect(answer).toMatchObject({ from: base, to: base + 10 * M });
    expect(answer.markers.map((m) => [m.kind, m.scope, m.t - base])).toEqual([
      ['connections_drop', 'fleet', 2 * M + 5 * S],
      ['connections_drop', 'r-002', 2 * M + 5 * S],
      ['auth_spike', 'fleet', 3 * M + 10 * S],
    ]);
    expect(answer.markers[1]?.description).toBe('r-002: connections fell 2 → 0 (−100 %) within a minute');
  });

  it("gives a manager their restaurants' markers only: no r-002, no unplaced refused tokens, a fleet of r-001", async () => {
    const { base, get } = await seededHub();
    const answer = replayMarkersAnswerSchema.parse((await get(`from=${base}&to=${base + 10 * M}`, token.manager)).body);
    expect(answer.markers).toEqual([]);
  });

  it('refuses a window wider than a day, older than the rollups, or not a window', async () => {
    const { get } = await seededHub();
    const now = Date.now();
    const wide = await get(`from=${now - 2 * DAY_MS}&to=${now}`);
    expect([wide.status, apiErrorBodySchema.parse(wide.body).error.code]).toEqual([400, 'BAD_REQUEST']);
    const old = await get(`from=${now - 31 * DAY_MS}&to=${now - 31 * DAY_MS + M}`);
    expect([old.status, apiErrorBodySchema.parse(old.body).error.code]).toEqual([422, 'REPLAY_OUT_OF_WINDOW']);
    const bad = await get('from=19:42');
    expect([bad.status, apiErrorBodySchema.parse(bad.body).error.code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('refuses to read more events or minutes than one answer may (413 REPLAY_TOO_LARGE)', async () => {
    const { store } = await seededStore();
    const now = Date.now();
    await store.writeEvents([openEvent(now - 3 * S, 'r-001-t1'), openEvent(now - 2 * S, 'r-001-t2')]);
    await store.writeMinutes([minuteRow('r-001', Math.floor(now / M) * M - M, conns(2))]);
    const call = { query: new URLSearchParams({ from: String(now - 10 * M), to: String(now) }), now, restaurants: null, inScope: () => true };
    await expect(answerReplayMarkers({ store, maxEvents: 1 }, call)).rejects.toMatchObject({ code: 'REPLAY_TOO_LARGE', httpStatus: 413 });
    await expect(answerReplayMarkers({ store, maxMinutes: 0 }, call)).rejects.toMatchObject({ code: 'REPLAY_TOO_LARGE', httpStatus: 413 });
    expect((await answerReplayMarkers({ store, maxEvents: 2, maxMinutes: 1 }, call)).markers).toEqual([]);
  });
});
