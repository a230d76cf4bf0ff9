import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FakeClock } from '../../core/fake-clock.ts';
import { fakeSocketFactory } from '../../client/test-helpers/fake-socket.ts';
import { dashboardBackoff, startLiveConnection } from './live-connection.ts';
import { createLiveStore } from './live-store.ts';
import { delta, openEvent, snapshot, totals } from './test-helpers/live-fixtures.ts';

function setup() {
  const clock = new FakeClock();
  const fakes = fakeSocketFactory(() => clock.now());
  const store = createLiveStore();
  const queued: Array<() => void> = [];
  let refused = 0;
  let setStates = 0;
  store.subscribe(() => setStates++);
  const conn = startLiveConnection({
    store,
    url: 'ws://hub.test/live',
    token: 'jwt',
    createSocket: fakes.factory,
    clock,
    random: seededRandom(1),
    schedule: (fn) => {
      queued.push(fn);
      return () => queued.splice(queued.indexOf(fn), 1);
    },
    onRefused: () => refused++,
  });
  const runFrame = (): void => {
    for (const fn of queued.splice(0)) fn();
  };
  return { clock, fakes, store, conn, runFrame, refused: () => refused, setStates: () => setStates };
}

const send = (socket: { fireMessage(d: unknown): void }, frame: object): void => socket.fireMessage(JSON.stringify(frame));

describe('live connection', () => {
  it('offers the marker and the bearer token, never in the URL', () => {
    const t = setup();
    expect(t.fakes.last().url).toBe('ws://hub.test/live');
    expect(t.fakes.last().protocols).toEqual(['pulse.live.v2', 'bearer.jwt']);
  });

  it('applies frames once per animation frame, in one setState', () => {
    const t = setup();
    const ws = t.fakes.last();
    ws.fireOpen('pulse.live.v1');
    const before = t.setStates();
    send(ws, snapshot(1));
    send(ws, delta(2));
    send(ws, delta(3, { totals: totals({ connections: 3 }) }));
    expect(t.store.getState().position).toBeNull();
    t.runFrame();
    expect(t.setStates() - before).toBe(1);
    expect(t.store.getState().position?.seq).toBe(3);
    expect(t.store.getState().totals?.connections).toBe(3);
  });

  it('retries a hub that stays away within the dashboard\'s backoff cap, not a terminal\'s minute', () => {
    const t = setup();
    t.fakes.last().fireOpen('pulse.live.v2');
    send(t.fakes.last(), snapshot(1));
    t.fakes.last().fireClose(1006);
    // Twenty failed attempts: each next one is never more than the cap away.
    for (let i = 0; i < 20; i++) {
      const before = t.fakes.sockets.length;
      t.clock.advance(dashboardBackoff.capMs);
      expect(t.fakes.sockets.length, `attempt ${i + 1} within ${dashboardBackoff.capMs} ms`).toBe(before + 1);
      t.fakes.last().fireClose(1006);
    }
    t.clock.advance(dashboardBackoff.capMs);
    t.fakes.last().fireOpen('pulse.live.v2');
    send(t.fakes.last(), snapshot(5));
    t.runFrame();
    expect(t.store.getState().position?.seq).toBe(5);
  });

  it('reconnects with its position in the URL and applies the replay with no gap and no duplicate', () => {
    const t = setup();
    let ws = t.fakes.last();
    ws.fireOpen('pulse.live.v1');
    send(ws, snapshot(1));
    send(ws, delta(2, { events: [openEvent(1, 't-1', 1)] }));
    ws.fireClose(1006);
    expect(t.store.getState().position?.seq).toBe(2); // flushed on the drop
    expect(t.store.getState().connection.socket).toBe('waiting');
    t.clock.advance(70_000);
    ws = t.fakes.last();
    expect(ws.url).toBe('ws://hub.test/live?since=e1.2');
    ws.fireOpen('pulse.live.v1');
    // The hub replays from 2 (overlap), then continues live.
    send(ws, delta(2, { events: [openEvent(1, 't-1', 1)] }));
    send(ws, delta(3, { events: [openEvent(2, 't-2', 2)] }));
    send(ws, delta(4));
    t.runFrame();
    const s = t.store.getState();
    expect(s.position?.seq).toBe(4);
    expect(s.feed.entries.map((e) => e.event.t)).toEqual([2, 1]);
  });

  it('on a gap asks the hub to resume from its position, once until answered', () => {
    const t = setup();
    const ws = t.fakes.last();
    ws.fireOpen('pulse.live.v1');
    send(ws, snapshot(1));
    send(ws, delta(3));
    t.runFrame();
    send(ws, delta(4));
    t.runFrame();
    const resumes = ws.sent.filter((m) => m.includes('"resume"'));
    expect(resumes.map((m) => JSON.parse(m) as unknown)).toEqual([{ type: 'resume', epoch: 'e1', since: 1 }]);
    send(ws, delta(2));
    send(ws, delta(3));
    send(ws, delta(4));
    t.runFrame();
    expect(t.store.getState().position?.seq).toBe(4);
    expect(t.store.getState().resyncFrom).toBeNull();
  });

  it('a 4001 close is a refused sign-in: no retry, the sign-in page takes over', () => {
    const t = setup();
    t.fakes.last().fireOpen('pulse.live.v1');
    t.fakes.last().fireClose(4001, 'Invalid token');
    expect(t.refused()).toBe(1);
    expect(t.store.getState().connection).toMatchObject({ socket: 'failed', failure: 'token_rejected' });
    t.clock.advance(120_000);
    expect(t.fakes.sockets).toHaveLength(1);
  });

  it('drops frames that break the contract instead of applying them', () => {
    const t = setup();
    const ws = t.fakes.last();
    ws.fireOpen('pulse.live.v1');
    ws.fireMessage('{"type":"snapshot","epoch":"e1"}');
    ws.fireMessage('not json');
    t.runFrame();
    expect(t.store.getState().position).toBeNull();
  });

  it('dispose leaves no timer and no socket behind', () => {
    const t = setup();
    t.fakes.last().fireOpen('pulse.live.v1');
    t.conn.dispose();
    t.clock.advance(600_000);
    expect(t.fakes.sockets).toHaveLength(1);
    expect(t.clock.pendingCount).toBe(0);
  });
});
