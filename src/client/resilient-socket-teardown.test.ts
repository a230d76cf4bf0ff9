import { describe, expect, it } from 'vitest';
import { socketFixture, stayUp, waitForRetry } from './test-helpers/socket-fixture.ts';

describe('resilient socket: generations and teardown', () => {
  it('events and timers of an old generation are ignored', () => {
    const f = socketFixture();
    f.socket.connect();
    const a = f.last();
    a.fireOpen();
    f.clock.advance(5_000);
    a.fireMessage(JSON.stringify({ type: 'pong', seq: 1, timestamp: 0 })); // A has had its pong
    f.clock.advance(5_000);
    a.fireClose(1006);
    waitForRetry(f);
    const b = f.last();
    expect(b).not.toBe(a);
    b.fireOpen();
    // A's stable timer (A opened + 15 s) must not reset B's attempts; A's heartbeat must not ping.
    f.clock.advance(6_000);
    expect(f.socket.attempts).toBe(1);
    expect(a.sent).toEqual([]);
    // A's late events change nothing.
    a.fireOpen();
    a.fireMessage('from the past');
    a.fireError();
    a.fireClose(4001);
    expect(f.socket.state).toBe('open');
    expect(f.scheduled()).toHaveLength(1);
    expect(f.log.filter((e) => e.event === 'message' && e.args[0] === 'from the past')).toEqual([]);
  });

  it('events already in flight from a released socket are ignored by generation', () => {
    // Sticky handlers stand for events queued before the handlers were detached.
    const f = socketFixture();
    f.socket.connect();
    const a = f.last();
    a.sticky = true;
    a.fireOpen();
    f.socket.drop();
    waitForRetry(f);
    const b = f.last();
    expect(a.attachedHandlers).toBe(3); // still attached: only the generation check stands
    a.fireOpen();
    expect(f.socket.state).toBe('connecting');
    b.fireOpen();
    a.fireMessage('stale');
    a.fireClose(4001);
    expect(f.socket.state).toBe('open');
    expect(f.log.filter((e) => e.event === 'message')).toEqual([]);
    expect(f.log.filter((e) => e.event === 'open')).toHaveLength(2);
  });

  it('close() during the backoff wait never reopens; connect() may start again', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireClose(1006);
    expect(f.clock.pendingCount).toBe(1);
    f.socket.close();
    expect(f.socket.state).toBe('closed');
    expect(f.clock.pendingCount).toBe(0);
    f.clock.advance(10 * 60_000);
    expect(f.sockets).toHaveLength(1);
    f.socket.connect();
    expect(f.sockets).toHaveLength(2);
  });

  it('close() while connecting neither throws nor leaks, and goes closing → closed', () => {
    const f = socketFixture();
    f.socket.connect();
    const ws = f.last();
    f.socket.close(4000, 'bye');
    expect(ws.closeCalls).toEqual([{ code: 4000, reason: 'bye' }]);
    expect(ws.attachedHandlers).toBe(0);
    const states = f.log.filter((e) => e.event === 'state').map((e) => e.args[0]);
    expect(states).toEqual(['connecting', 'closing', 'closed']);
    ws.fireClose(4000);
    expect(f.socket.state).toBe('closed');
    expect(f.clock.pendingCount).toBe(0);
  });

  for (const when of ['connecting', 'open', 'waiting'] as const) {
    it(`dispose() while ${when}: no timer pending, no listener left, no socket ever again`, () => {
      const f = socketFixture();
      f.socket.connect();
      if (when !== 'connecting') f.last().fireOpen();
      if (when === 'waiting') f.last().fireClose(1006);
      expect(f.socket.state).toBe(when);
      const created = f.sockets.length;
      f.socket.dispose();
      expect(f.socket.state).toBe('closed');
      expect(f.clock.pendingCount).toBe(0);
      expect(f.socket.listenerCount()).toBe(0);
      for (const ws of f.sockets) expect(ws.attachedHandlers).toBe(0);
      // Nothing brings it back: not the old socket, not connect(), not checkNow(), not time.
      f.sockets[0]!.fireClose(1006);
      f.socket.connect();
      f.socket.checkNow();
      f.socket.drop();
      f.clock.advance(60 * 60_000);
      expect(f.sockets).toHaveLength(created);
      expect(f.socket.state).toBe('closed');
      expect(f.clock.pendingCount).toBe(0);
      f.socket.on('state', () => {});
      expect(f.socket.listenerCount()).toBe(0);
    });
  }

  it('listener, handler and timer counts stay flat over 100 reconnects', () => {
    const f = socketFixture();
    const listeners = f.socket.listenerCount();
    f.socket.connect();
    let maxPending = 0;
    for (let i = 0; i < 100; i++) {
      f.last().fireOpen();
      stayUp(f, 20_000); // stable: attempts reset, so every wait is short
      f.last().fireError();
      f.last().fireClose(1006);
      maxPending = Math.max(maxPending, f.clock.pendingCount);
      waitForRetry(f);
    }
    expect(f.sockets).toHaveLength(101);
    expect(f.socket.listenerCount()).toBe(listeners);
    expect(f.sockets.slice(0, -1).reduce((n, ws) => n + ws.attachedHandlers, 0)).toBe(0);
    expect(f.last().attachedHandlers).toBe(3);
    expect(maxPending).toBe(1); // only the retry timer while waiting
  });
});
