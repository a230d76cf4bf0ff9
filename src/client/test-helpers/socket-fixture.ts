/**
 * A resilient socket on a fake clock, a seeded random and fake sockets, with the events it
 * emitted recorded in order.
 */
import { expect } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FakeClock } from '../../core/fake-clock.ts';
import { createResilientSocket } from '../resilient-socket.ts';
import type { ResilientSocket, ResilientSocketOptions } from '../socket-types.ts';
import { fakeSocketFactory } from './fake-socket.ts';
import { pongFor } from './fake-socket.ts';
import type { FakeSocketFactory } from './fake-socket.ts';

export interface Fixture extends FakeSocketFactory {
  clock: FakeClock;
  socket: ResilientSocket;
  /** Every event, as `name` plus its arguments. */
  log: Array<{ event: string; args: unknown[] }>;
  scheduled(): Array<{ attempt: number; delayMs: number }>;
}

export function socketFixture(overrides: Partial<ResilientSocketOptions> = {}, seed = 42): Fixture {
  const clock = new FakeClock();
  const fakes = fakeSocketFactory(() => clock.now());
  const socket = createResilientSocket({
    url: 'ws://pulse.test/ws',
    protocols: () => ['bearer.t0ken'],
    createSocket: fakes.factory,
    clock,
    random: seededRandom(seed),
    ...overrides,
  });
  const log: Fixture['log'] = [];
  for (const event of ['state', 'open', 'close', 'reconnect_scheduled', 'pong', 'failed', 'message'] as const) {
    socket.on(event, (...args: unknown[]) => log.push({ event, args }));
  }
  return {
    ...fakes,
    clock,
    socket,
    log,
    scheduled: () =>
      log.filter((e) => e.event === 'reconnect_scheduled').map((e) => e.args[0] as { attempt: number; delayMs: number }),
  };
}

/** Open the newest socket and answer its pings until it has been up `ms`. */
export function stayUp(f: Fixture, ms: number, answerPings = true): void {
  const ws = f.last();
  const end = f.clock.now() + ms;
  for (let i = 0; i < 10_000 && f.clock.now() < end; i++) {
    const before = ws.sent.length;
    f.clock.advance(Math.min(1_000, end - f.clock.now()));
    if (answerPings) for (const frame of ws.sent.slice(before)) ws.fireMessage(pongFor(frame));
  }
}

/** Let the pending retry fire. */
export function waitForRetry(f: Fixture): void {
  expect(f.socket.state).toBe('waiting');
  expect(f.clock.runNext()).toBe(true);
}
