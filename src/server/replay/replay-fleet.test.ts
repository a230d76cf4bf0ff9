/**
 * `GET /api/replay/fleet?t=…` on a real hub over a seeded SQLite store: an r-002 outage an hour
 * ago reads offline at its instant and healthy one second before; a manager gets their restaurants
 * only; an instant outside the stored window, or one needing too many events, is refused with a
 * stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { replayFleetAnswerSchema } from '../../protocol/replay.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { DAY_MS } from '../store/store.ts';
import { closeEvent, minuteRow, openEvent } from '../store/test-helpers/fixtures.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { answerReplayFleet } from './replay-fleet.ts';
import { cleanupsAfterEach, r002Outage, replayBase, replayTokens, startReplayHub } from './test-helpers/replay-hub.ts';

const token = replayTokens;
const S = 1000;
const cleanups = cleanupsAfterEach(afterEach);

async function seededHub() {
  // An hour ago, on a whole minute: the outage minute is settled and stored.
  const base = replayBase();
  const events = [...r002Outage(base), closeEvent(base + 300 * S, 'r-001-t1', 1000, 'a1')];
  const hub = await startReplayHub(cleanups, { events, minutes: [minuteRow('r-002', base + 60 * S, { counters: { hbOnTime: 8, hbExpected: 8 } })] });
  const get = (t: number | string, bearer = token.engineer) => hub.get(`/api/replay/fleet?t=${t}`, bearer);
  return { base, get };
}

describe('GET /api/replay/fleet', () => {
  it('answers the fleet at an instant: r-002 offline at its outage, healthy a second before', async () => {
    const { base, get } = await seededHub();
    const before = await get(base + 119 * S);
    expect(before.status).toBe(200);
    const b = replayFleetAnswerSchema.parse(before.body);
    expect(b.restaurants.map((r) => [r.rid, r.status, r.connections])).toEqual([
      ['r-001', 'healthy', 1],
      ['r-002', 'healthy', 2],
    ]);
    expect(b.restaurants[1]?.minute).toMatchObject({ minute: base + 60 * S, heartbeatSuccess: 1 });

    const during = replayFleetAnswerSchema.parse((await get(base + 120 * S)).body);
    const r2 = during.restaurants.find((r) => r.rid === 'r-002');
    expect(r2).toMatchObject({ status: 'offline', connections: 0, connectedTerminals: 0, expected: 2 });
    expect(r2?.terminalList.map((t) => [t.tid, t.connected, t.since])).toEqual([
      ['r-002-t1', false, base + 120 * S],
      ['r-002-t2', false, base + 120 * S],
    ]);
  });

  it('gives a manager their restaurants only', async () => {
    const { base, get } = await seededHub();
    const answer = replayFleetAnswerSchema.parse((await get(base + 119 * S, token.manager)).body);
    expect(answer.restaurants.map((r) => r.rid)).toEqual(['r-001']);
  });

  it('refuses to read more events than one answer may (413 REPLAY_TOO_LARGE, a stable code)', async () => {
    const tmp = makeTempDir('pulse-replay-');
    cleanups.push(tmp.remove);
    const { store } = await openSqliteStore({ dataDir: tmp.dir });
    cleanups.push(() => store.close());
    const now = Date.now();
    await store.writeEvents([openEvent(now - 3 * S, 'r-001-t1', 'a1'), openEvent(now - 2 * S, 'r-001-t2', 'a2'), openEvent(now - S, 'r-001-t3', 'a3')]);
    const call = { t: String(now), now, restaurants: null, inScope: () => true };
    await expect(answerReplayFleet({ store, maxEvents: 2 }, call)).rejects.toMatchObject({ code: 'REPLAY_TOO_LARGE', httpStatus: 413 });
    expect((await answerReplayFleet({ store, maxEvents: 3 }, call)).restaurants[0]).toMatchObject({ rid: 'r-001', connections: 3 });
  });

  it('refuses an instant outside the stored window, and one that is no instant', async () => {
    const { get } = await seededHub();
    for (const t of [Date.now() - 8 * DAY_MS, Date.now() + 60_000]) {
      const res = await get(t);
      expect(res.status).toBe(422);
      expect(apiErrorBodySchema.parse(res.body).error.code).toBe('REPLAY_OUT_OF_WINDOW');
    }
    const bad = await get('19:42');
    expect(bad.status).toBe(400);
    expect(apiErrorBodySchema.parse(bad.body).error.code).toBe('BAD_REQUEST');
  });
});
