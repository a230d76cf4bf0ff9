import { describe, expect, it } from 'vitest';
import { backoffBounds } from '../core/backoff.ts';
import { pongFor } from './test-helpers/fake-socket.ts';
import { socketFixture } from './test-helpers/socket-fixture.ts';
import type { Fixture } from './test-helpers/socket-fixture.ts';

/** Open the newest socket and answer its pings until it has been up `ms`. */
function stayUp(f: Fixture, ms: number, answerPings = true): void {
  const ws = f.last();
  const end = f.clock.now() + ms;
  for (let i = 0; i < 10_000 && f.clock.now() < end; i++) {
    const before = ws.sent.length;
    f.clock.advance(Math.min(1_000, end - f.clock.now()));
    if (answerPings) for (const frame of ws.sent.slice(before)) ws.fireMessage(pongFor(frame));
  }
}

/** Let the pending retry fire. */
function waitForRetry(f: Fixture): void {
  expect(f.socket.state).toBe('waiting');
  expect(f.clock.runNext()).toBe(true);
}

describe('resilient socket: lifecycle', () => {
  it('connects with the url and protocols read at the attempt, then opens', () => {
    const f = socketFixture();
    expect(f.socket.state).toBe('idle');
    f.socket.connect();
    expect(f.socket.state).toBe('connecting');
    expect(f.sockets).toHaveLength(1);
    expect(f.last().url).toBe('ws://pulse.test/ws');
    expect(f.last().protocols).toEqual(['bearer.t0ken']);
    f.last().fireOpen('bearer.t0ken');
    expect(f.socket.state).toBe('open');
    expect(f.log.find((e) => e.event === 'open')?.args[0]).toEqual({ attempt: 0, protocol: 'bearer.t0ken' });
    expect(f.socket.send('x')).toBe(true);
    expect(f.last().sent).toEqual(['x']);
  });

  it('racing connect() calls create one socket', () => {
    const f = socketFixture();
    for (let i = 0; i < 50; i++) f.socket.connect();
    expect(f.sockets).toHaveLength(1);
    f.last().fireOpen();
    for (let i = 0; i < 50; i++) f.socket.connect();
    expect(f.sockets).toHaveLength(1);
  });

  it('send() refuses unless open', () => {
    const f = socketFixture();
    expect(f.socket.send('x')).toBe(false);
    f.socket.connect();
    expect(f.socket.send('x')).toBe(false);
    expect(f.last().sent).toEqual([]);
  });

  it('an error followed by close schedules exactly one attempt', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireError();
    f.last().fireClose(1006);
    expect(f.scheduled()).toHaveLength(1);
    expect(f.clock.pendingCount).toBe(1);
    f.clock.advance(70_000);
    expect(f.sockets).toHaveLength(2);
    // A second close of the old socket must not schedule anything either.
    f.sockets[0]!.fireClose(1006);
    expect(f.scheduled()).toHaveLength(1);
  });

  it('the first retry waits within backoff bounds of attempt 0', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireOpen();
    f.last().fireClose(1001);
    const [first] = f.scheduled();
    const { minMs, maxMs } = backoffBounds(0);
    expect(first!.attempt).toBe(1);
    expect(first!.delayMs).toBeGreaterThanOrEqual(minMs);
    expect(first!.delayMs).toBeLessThanOrEqual(maxMs);
    f.clock.advance(first!.delayMs - 1);
    expect(f.sockets).toHaveLength(1);
    f.clock.advance(1);
    expect(f.sockets).toHaveLength(2);
    expect(f.socket.state).toBe('connecting');
  });
});

describe('resilient socket: backoff reset rules', () => {
  it('flapping (up 1 s, down) keeps growing the attempts and the ceilings', () => {
    const f = socketFixture();
    f.socket.connect();
    for (let i = 0; i < 8; i++) {
      f.last().fireOpen();
      stayUp(f, 1_000);
      f.last().fireClose(1006);
      waitForRetry(f);
    }
    const attempts = f.scheduled().map((s) => s.attempt);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f.socket.attempts).toBe(8);
    f.scheduled().forEach((s, i) => {
      const { minMs, maxMs } = backoffBounds(i);
      expect(s.delayMs).toBeGreaterThanOrEqual(minMs);
      expect(s.delayMs).toBeLessThanOrEqual(maxMs);
    });
    // The late delays are drawn from the capped range, not the base one.
    expect(backoffBounds(7).maxMs).toBe(64_000);
  });

  it('resets only after ≥ 15 s up AND a pong', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireClose(1006);
    waitForRetry(f);
    f.last().fireClose(1006);
    waitForRetry(f);
    expect(f.socket.attempts).toBe(2);

    // Up 20 s with no pong answered: not stable.
    f.last().fireOpen();
    stayUp(f, 20_000, false);
    expect(f.socket.attempts).toBe(2);
    f.last().fireClose(1006);
    waitForRetry(f);
    expect(f.socket.attempts).toBe(3);

    // Up 14.9 s with pongs: not yet.
    f.last().fireOpen();
    const pong = () => f.last().fireMessage(JSON.stringify({ type: 'pong', seq: 999, timestamp: 0 }));
    pong();
    f.clock.advance(14_900);
    expect(f.socket.attempts).toBe(3);
    // 15 s reached with a pong already in: reset.
    f.clock.advance(100);
    expect(f.socket.attempts).toBe(0);
  });

  it('a pong after 15 s resets at the pong', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireClose(1006);
    waitForRetry(f);
    f.last().fireOpen();
    f.clock.advance(15_000); // first heartbeat sent at 15 s
    expect(f.socket.attempts).toBe(1);
    const [ping] = f.last().sent;
    f.clock.advance(40);
    f.last().fireMessage(pongFor(ping!));
    expect(f.socket.attempts).toBe(0);
    expect(f.socket.lastRttMs).toBe(40);
  });
});

describe('resilient socket: terminal outcomes', () => {
  it('4001 → failed token_rejected, no retry; a manual connect() starts again with attempts reset', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireClose(1006);
    waitForRetry(f);
    f.last().fireOpen();
    f.last().fireClose(4001, 'Invalid token');
    expect(f.socket.state).toBe('failed');
    expect(f.log.find((e) => e.event === 'failed')?.args[0]).toEqual({ reason: 'token_rejected', code: 4001 });
    expect(f.clock.pendingCount).toBe(0);
    f.clock.advance(10 * 60_000);
    expect(f.sockets).toHaveLength(2);
    f.socket.connect();
    expect(f.sockets).toHaveLength(3);
    expect(f.socket.attempts).toBe(0);
  });

  it('4003 → failed forbidden', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireOpen();
    f.last().fireClose(4003, 'Forbidden');
    expect(f.socket.state).toBe('failed');
    expect(f.log.find((e) => e.event === 'failed')?.args[0]).toEqual({ reason: 'forbidden', code: 4003 });
    expect(f.clock.pendingCount).toBe(0);
  });

  it('max_reconnect_reached → failed with every timer stopped', () => {
    const f = socketFixture({ maxReconnectAttempts: 3 });
    f.socket.connect();
    for (let i = 0; i < 3; i++) {
      f.last().fireClose(1006);
      waitForRetry(f);
    }
    f.last().fireOpen();
    stayUp(f, 5_000);
    f.last().fireClose(1011);
    expect(f.socket.state).toBe('failed');
    expect(f.log.find((e) => e.event === 'failed')?.args[0]).toEqual({ reason: 'max_reconnect_reached', code: 1011 });
    expect(f.clock.pendingCount).toBe(0);
    expect(f.sockets).toHaveLength(4);
  });
});

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

describe('resilient socket: heartbeat and health', () => {
  it('pings every interval as valid POS pings carrying the last RTT', async () => {
    const { decodeTerminalMessage } = await import('../protocol/codec.ts');
    const f = socketFixture({ heartbeatIntervalMs: 15_000 });
    f.socket.connect();
    const ws = f.last();
    ws.fireOpen();
    f.clock.advance(14_999);
    expect(ws.sent).toHaveLength(0);
    f.clock.advance(1);
    expect(ws.sent).toHaveLength(1);
    f.clock.advance(120);
    ws.fireMessage(pongFor(ws.sent[0]!));
    expect(f.socket.lastRttMs).toBe(120);
    expect(f.log.find((e) => e.event === 'pong')?.args[0]).toEqual({ seq: ws.pings[0]!.seq, rttMs: 120 });
    f.clock.advance(14_880);
    expect(ws.sent).toHaveLength(2);
    for (const frame of ws.sent) expect(decodeTerminalMessage(frame).ok).toBe(true);
    expect(ws.pings[0]!.rtt).toBeUndefined();
    expect(ws.pings[1]!.rtt).toBe(120);
    expect(ws.pings[1]!.seq).toBeGreaterThan(ws.pings[0]!.seq);
  });

  it('health is computed from the clock; any message refreshes it, not only a pong', () => {
    // A long heartbeat keeps the silent-connection drop out of the way: this is about reading.
    const f = socketFixture({ heartbeatIntervalMs: 10 * 60_000 });
    expect(f.socket.health()).toBe('unhealthy');
    f.socket.connect();
    f.last().fireOpen();
    expect(f.socket.health()).toBe('healthy');
    f.clock.advance(19_000);
    f.last().fireMessage(JSON.stringify({ type: 'order', seq: 1, timestamp: 0 }));
    f.clock.advance(19_999);
    expect(f.socket.health()).toBe('healthy');
    f.clock.advance(1);
    expect(f.socket.health()).toBe('degraded');
    f.clock.advance(9_999);
    expect(f.socket.health()).toBe('degraded');
    f.clock.advance(1);
    expect(f.socket.health()).toBe('unhealthy');
    f.last().fireMessage('anything');
    expect(f.socket.health()).toBe('healthy');
    f.last().fireClose(1006);
    expect(f.socket.health()).toBe('unhealthy');
  });

  it('a connection silent for 30 s is dropped at the next heartbeat (half-open peer)', () => {
    const f = socketFixture();
    f.socket.connect();
    const ws = f.last();
    ws.fireOpen();
    f.clock.advance(29_999);
    expect(f.socket.state).toBe('open');
    f.clock.advance(1);
    expect(f.socket.state).toBe('waiting');
    expect(ws.closeCalls).toEqual([{ code: 4008, reason: 'heartbeat timeout' }]);
    expect(f.log.find((e) => e.event === 'close')?.args[0]).toEqual({ code: 4008, reason: 'heartbeat timeout', upMs: 30_000 });
  });

  it('checkNow() on a connection whose heartbeat never ran (throttled tab) reconnects at once', () => {
    const f = socketFixture({ heartbeatIntervalMs: 10 * 60_000 });
    f.socket.connect();
    f.last().fireOpen();
    f.clock.advance(20_000);
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(1); // degraded is not dead
    f.clock.advance(15_000);
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(2);
    expect(f.socket.state).toBe('connecting');
    expect(f.sockets[0]!.closeCalls[0]?.code).toBe(4008);
    expect(f.clock.pendingCount).toBe(0);
  });
});

describe('resilient socket: drop, checkNow, canAttempt', () => {
  it('drop() closes and waits as a drop would; a code the wire refuses still closes', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireOpen();
    f.clock.advance(3_000);
    f.socket.drop(1006, 'fault');
    expect(f.socket.state).toBe('waiting');
    expect(f.sockets[0]!.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
    expect(f.log.find((e) => e.event === 'close')?.args[0]).toEqual({ code: 1006, reason: 'fault', upMs: 3_000 });
    expect(f.scheduled()).toEqual([expect.objectContaining({ attempt: 1 })]);
    const states = f.log.filter((e) => e.event === 'state').map((e) => e.args[0]);
    expect(states).toEqual(['connecting', 'open', 'closing', 'waiting']);
  });

  it('checkNow() while waiting reconnects at once and cancels the timer', () => {
    const f = socketFixture();
    f.socket.connect();
    f.last().fireClose(1006);
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(2);
    expect(f.clock.pendingCount).toBe(0);
  });

  it('canAttempt false → no attempt (and no timer) until checkNow after it turns true', () => {
    let allowed = false;
    const f = socketFixture({ canAttempt: () => allowed });
    f.socket.connect();
    expect(f.socket.state).toBe('waiting');
    expect(f.sockets).toHaveLength(0);
    expect(f.clock.pendingCount).toBe(0);
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(0);
    allowed = true;
    f.clock.advance(10 * 60_000);
    expect(f.sockets).toHaveLength(0);
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(1);

    // Gate closes while a retry is pending: the timer fires but nothing is attempted.
    f.last().fireOpen();
    f.last().fireClose(1006);
    allowed = false;
    f.clock.advance(70_000);
    expect(f.sockets).toHaveLength(1);
    expect(f.socket.state).toBe('waiting');
    expect(f.clock.pendingCount).toBe(0);
    allowed = true;
    f.socket.checkNow();
    expect(f.sockets).toHaveLength(2);
  });

  it('a listener calling back into the socket runs after the transition, not inside it', () => {
    const f = socketFixture();
    f.socket.on('failed', () => f.socket.connect());
    f.socket.connect();
    f.last().fireOpen();
    f.last().fireClose(4001);
    expect(f.sockets).toHaveLength(2);
    expect(f.socket.state).toBe('connecting');
    const states = f.log.filter((e) => e.event === 'state').map((e) => e.args.join('<'));
    expect(states).toEqual(['connecting<idle', 'open<connecting', 'failed<open', 'connecting<failed']);
  });

  it('a socket factory that throws is a failed attempt, retried with backoff', () => {
    let calls = 0;
    const f = socketFixture({
      createSocket: () => {
        calls++;
        throw new SyntaxError('bad url');
      },
    });
    f.socket.connect();
    expect(f.socket.state).toBe('waiting');
    f.clock.runNext();
    expect(calls).toBe(2);
    expect(f.scheduled().map((s) => s.attempt)).toEqual([1, 2]);
  });
});
