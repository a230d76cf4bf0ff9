import { describe, expect, it } from 'vitest';
import { backoffBounds } from '../core/backoff.ts';
import { pongFor } from './test-helpers/fake-socket.ts';
import { socketFixture, stayUp, waitForRetry } from './test-helpers/socket-fixture.ts';

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

  it('a handshake that never completes is given up after connectTimeoutMs, closed and retried with backoff', () => {
    const f = socketFixture({ connectTimeoutMs: 5_000 });
    f.socket.connect();
    const hung = f.last();
    f.clock.advance(4_999);
    expect(f.socket.state).toBe('connecting');
    f.clock.advance(1);
    expect(hung.closeCalls).toHaveLength(1);
    expect(f.log.find((e) => e.event === 'close')?.args[0]).toMatchObject({ code: 1006, reason: 'handshake timeout', upMs: 0 });
    expect(f.socket.state).toBe('waiting');
    expect(f.scheduled()).toHaveLength(1);
    waitForRetry(f);
    expect(f.sockets).toHaveLength(2);
    // An attempt that opens in time is not touched by the old deadline or its own.
    f.last().fireOpen();
    f.clock.advance(20_000);
    expect(f.sockets).toHaveLength(2);
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
