/**
 * Issue 18, item 3, on real parts (gateway, bus probe, hub, SQLite store, /api and /live): two
 * restaurants that each name a till `till-1` — as real POS fleets do — are two terminals. Before,
 * the hub kept one restaurant per terminal id: one timeline mixing both, and the old URL answered
 * whichever restaurant spoke last.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrorBodySchema, eventsPageAnswerSchema, restaurantAnswerSchema } from '../../protocol/api.ts';
import type { LiveFrame } from '../../protocol/live.ts';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { connectTerminal } from '../gateway/test-helpers/test-terminal.ts';
import { connectViewer, type TestViewer } from './live/test-helpers/live-harness.ts';
import { startHubWithGateway } from './test-helpers/hub-with-gateway.ts';

const secret = 'terminal-identity-secret-0123456789abcdef';
const engineer = signViewerToken(secret, { sub: 'erin', role: 'engineer' });
const managerOfA = signViewerToken(secret, { sub: 'mia', role: 'manager', restaurants: ['r-a'] });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a till-1 in each of two restaurants, through the real gateway and hub', () => {
  it('is two terminals in /api and /live, each with its own timeline and its restaurant\'s expected count', async () => {
    const { hub, gateway } = await startHubWithGateway({ secret, gatewayId: 'gw-id', probeFlushMs: 100 }, cleanups);

    const from = Date.now() - 1000;
    // r-a's till-1 connects, drops and comes back; r-b's connects once and stays.
    const a1 = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'till-1', 'r-a', 60) });
    await a1.next('welcome');
    a1.ws.close(1000);
    await a1.closed;
    const a2 = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'till-1', 'r-a', 60) });
    await a2.next('welcome');
    const b = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'till-1', 'r-b', 60) });
    await b.next('welcome');
    cleanups.push(() => a2.ws.close(1000), () => b.ws.close(1000));

    const get = (path: string, token = engineer) => fetch(hub.url + path, { headers: { authorization: `Bearer ${token}` } });
    const window = () => `?from=${from}&to=${Date.now() + 60_000}`;
    const timelineOf = async (rid: string) => {
      const res = await get(`/api/restaurants/${rid}/terminals/till-1/events${window()}`);
      if (res.status !== 200) return null;
      const page = eventsPageAnswerSchema.parse(await res.json());
      return { rid: page.rid, events: page.events.map((e) => [e.type, 'rid' in e ? e.rid : null]) };
    };
    await expect.poll(() => timelineOf('r-a'), { timeout: 5_000 }).toEqual({ rid: 'r-a', events: [['open', 'r-a'], ['close', 'r-a'], ['open', 'r-a']] });
    await expect.poll(() => timelineOf('r-b'), { timeout: 5_000 }).toEqual({ rid: 'r-b', events: [['open', 'r-b']] });

    // /api: each restaurant lists its own till-1, connected, and expects one terminal.
    const restaurant = async (rid: string) => restaurantAnswerSchema.parse(await (await get(`/api/restaurants/${rid}`)).json());
    await expect.poll(async () => (await restaurant('r-a')).restaurant.expected, { timeout: 5_000 }).toBe(1);
    for (const rid of ['r-a', 'r-b']) {
      const answer = await restaurant(rid);
      expect(answer.restaurant).toMatchObject({ expected: 1, connections: 1 });
      expect(answer.terminals.map((t) => [t.rid, t.tid, t.state])).toEqual([[rid, 'till-1', 'connected']]);
    }
    // r-a's last close is r-a's, never r-b's (r-b has none).
    expect((await restaurant('r-a')).terminals[0]!.lastClose).not.toBeNull();
    expect((await restaurant('r-b')).terminals[0]!.lastClose).toBeNull();

    // The old bare-id URL: refused as ambiguous to an engineer, with both restaurants named...
    const old = await get(`/api/terminals/till-1/events${window()}`);
    expect(old.status).toBe(409);
    expect(apiErrorBodySchema.parse(await old.json()).error).toMatchObject({ code: 'TERMINAL_AMBIGUOUS', restaurants: ['r-a', 'r-b'] });
    // ...but a manager of r-a sees only r-a's: for them the id is unique, and r-b is never named.
    const mine = await get(`/api/terminals/till-1/events${window()}`, managerOfA);
    expect(mine.status).toBe(200);
    expect(eventsPageAnswerSchema.parse(await mine.json()).events.every((e) => 'rid' in e && e.rid === 'r-a')).toBe(true);
    expect((await get(`/api/restaurants/r-b/terminals/till-1/events${window()}`, managerOfA)).status).toBe(403);

    // /live: two restaurants each expecting one; a watch by (rid, tid) gets that terminal only.
    const viewer: TestViewer = connectViewer(hub.url.replace(/^http/, 'ws'), { token: engineer });
    cleanups.push(async () => void (await viewer.close()));
    const snapshot = await viewer.waitFor((f) => f.type === 'snapshot');
    const figures = snapshot.type === 'snapshot' ? snapshot.restaurants.filter((r) => r.rid === 'r-a' || r.rid === 'r-b').map((r) => [r.rid, r.expected, r.connections]) : [];
    expect(figures).toEqual([['r-a', 1, 1], ['r-b', 1, 1]]);
    viewer.send({ type: 'watch_terminal', tid: 'till-1' });
    const refused = await viewer.waitFor((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'TERMINAL_AMBIGUOUS', tid: 'till-1', restaurants: ['r-a', 'r-b'] });
    viewer.send({ type: 'watch_terminal', tid: 'till-1', rid: 'r-b' });
    const isTerminalEvents = (f: LiveFrame) => f.type === 'terminal_events';
    const initial = await viewer.waitFor(isTerminalEvents);
    expect(initial).toMatchObject({ tid: 'till-1', rid: 'r-b', initial: true });
    expect(initial.type === 'terminal_events' && initial.events.map((e) => [e.type, 'rid' in e ? e.rid : null])).toEqual([['open', 'r-b']]);
    // r-a's till-1 closing is not r-b's news; r-b's closing is.
    const seen = viewer.frames.length;
    a2.ws.close(1000);
    await a2.closed;
    b.ws.close(1000);
    await b.closed;
    const live = await viewer.waitFor((f) => f.type === 'terminal_events' && !f.initial, 5_000, seen);
    expect(live.type === 'terminal_events' && live.events.map((e) => [e.type, 'rid' in e ? e.rid : null])).toEqual([['close', 'r-b']]);
    expect(viewer.problems).toEqual([]);
  });
});
