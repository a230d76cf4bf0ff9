import { describe, expect, it } from 'vitest';
import { pongFor } from './test-helpers/fake-socket.ts';
import { socketFixture } from './test-helpers/socket-fixture.ts';

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
