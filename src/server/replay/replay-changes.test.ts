/**
 * `GET /api/replay/changes` on a real hub over a seeded SQLite store: the fleet at `from` plus the
 * frames up to an instant equals the fleet rebuilt at that instant (the r-002 outage shows in the
 * frame at its second, and only the restaurants that changed are in it); a manager's frames hold
 * their restaurants only; a window too long, too fine or outside the stored one is refused with a
 * stable code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema } from '../../protocol/api.ts';
import { replayChangesAnswerSchema, replayFleetAnswerSchema, type ReplayRestaurantWire } from '../../protocol/replay.ts';
import { minuteRow, openEvent } from '../store/test-helpers/fixtures.ts';
import { cleanupsAfterEach, r002Outage, replayBase, replayTokens, startReplayHub } from './test-helpers/replay-hub.ts';

const token = replayTokens;
const S = 1000;
const cleanups = cleanupsAfterEach(afterEach);

async function seededHub() {
  const base = replayBase();
  const events = [...r002Outage(base), openEvent(base + 125 * S, 'r-003-t1', 'c1')];
  const minutes = [minuteRow('r-002', base + 60 * S, { counters: { hbOnTime: 8, hbExpected: 8 } }), minuteRow('r-002', base + 120 * S)];
  const { get } = await startReplayHub(cleanups, { events, minutes });
  return { base, get };
}

/** The fleet at `from` with every frame up to `t` applied, as a client playing back holds it. */
function played(start: readonly ReplayRestaurantWire[], frames: { t: number; restaurants: ReplayRestaurantWire[]; removed: string[] }[], t: number) {
  const fleet = new Map(start.map((r) => [r.rid, r]));
  for (const f of frames) {
    if (f.t > t) break;
    for (const rid of f.removed) fleet.delete(rid);
    for (const r of f.restaurants) fleet.set(r.rid, r);
  }
  return [...fleet.values()].sort((a, b) => (a.rid < b.rid ? -1 : 1));
}

describe('GET /api/replay/changes', () => {
  it('steps the fleet forward: from + the frames = the fleet rebuilt at each instant', async () => {
    const { base, get } = await seededHub();
    const from = base + 110 * S;
    const to = base + 130 * S;
    const start = replayFleetAnswerSchema.parse((await get(`/api/replay/fleet?t=${from}`)).body);
    const res = await get(`/api/replay/changes?from=${from}&to=${to}&step=1000`);
    expect(res.status).toBe(200);
    const answer = replayChangesAnswerSchema.parse(res.body);
    expect(answer.frames.map((f) => f.t)).toEqual(Array.from({ length: 20 }, (_, i) => from + (i + 1) * S));
    // The outage second: r-002 alone changed (r-001 did not, so it is not re-sent).
    const outage = answer.frames.find((f) => f.t === base + 120 * S);
    expect(outage?.restaurants.map((r) => [r.rid, r.status, r.connections])).toEqual([['r-002', 'offline', 0]]);
    expect(answer.frames.find((f) => f.t === base + 119 * S)?.restaurants).toEqual([]);
    for (const t of [base + 119 * S, base + 120 * S, base + 125 * S, to]) {
      const rebuilt = replayFleetAnswerSchema.parse((await get(`/api/replay/fleet?t=${t}`)).body);
      expect(played(start.restaurants, answer.frames, t)).toEqual(rebuilt.restaurants);
    }
  });

  it('steps by a coarser step too, ending on `to`', async () => {
    const { base, get } = await seededHub();
    const answer = replayChangesAnswerSchema.parse((await get(`/api/replay/changes?from=${base + 100 * S}&to=${base + 125 * S}&step=10000`)).body);
    expect(answer.frames.map((f) => f.t - base)).toEqual([110 * S, 120 * S, 125 * S]);
  });

  it('gives a manager frames of their restaurants only', async () => {
    const { base, get } = await seededHub();
    const answer = replayChangesAnswerSchema.parse((await get(`/api/replay/changes?from=${base}&to=${base + 200 * S}&step=5000`, token.manager)).body);
    const rids = new Set(answer.frames.flatMap((f) => [...f.restaurants.map((r) => r.rid), ...f.removed]));
    expect([...rids]).toEqual(['r-001']);
  });

  it('refuses what it cannot bound: stable codes', async () => {
    const { base, get } = await seededHub();
    const cases: [string, number, string][] = [
      [`from=${base}&to=${base + 2 * 3_600_000}`, 400, 'BAD_REQUEST'], // longer than an hour
      [`from=${base}&to=${base + 601 * S}&step=1000`, 400, 'BAD_REQUEST'], // more than 600 frames
      [`from=${base}&to=${base + 10 * S}&step=500`, 400, 'BAD_REQUEST'], // under a second
      [`from=${base + 10 * S}&to=${base}`, 400, 'BAD_REQUEST'],
      [`from=19:42&to=${base}`, 400, 'BAD_REQUEST'],
      [`from=${base - 8 * 86_400_000}&to=${base - 8 * 86_400_000 + 10 * S}`, 422, 'REPLAY_OUT_OF_WINDOW'],
      [`from=${Date.now() + 60_000}&to=${Date.now() + 70_000}`, 422, 'REPLAY_OUT_OF_WINDOW'],
    ];
    for (const [query, status, code] of cases) {
      const res = await get(`/api/replay/changes?${query}`);
      expect([query, res.status, apiErrorBodySchema.parse(res.body).error.code]).toEqual([query, status, code]);
    }
  });
});
