/**
 * PITFALLS: no jitter, or jitter before the cap, makes every client reconnect in the same instant
 * after a server restart (teleport#6889, phoenix#4045). 1,000 clients on one clock, one restart.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/clock.ts';
import { FakeClock } from '../core/fake-clock.ts';
import { createResilientSocket } from './resilient-socket.ts';
import { fakeSocketFactory } from './test-helpers/fake-socket.ts';
import type { FakeSocket } from './test-helpers/fake-socket.ts';

const clients = 1_000;
const windowMs = 100;

/** The most sockets created within any `windowMs` window. */
function busiestWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function restartAll(restarts: number): { times: number[]; restartAt: number } {
  const clock = new FakeClock();
  const fakes = fakeSocketFactory(() => clock.now());
  const sockets = Array.from({ length: clients }, (_, i) =>
    createResilientSocket({
      url: 'ws://pulse.test/ws',
      createSocket: fakes.factory,
      clock,
      // Each terminal has its own generator, as real ones do.
      random: seededRandom(10_000 + i),
      heartbeatIntervalMs: 10 * 60_000,
    }),
  );
  for (const s of sockets) s.connect();
  for (const ws of fakes.sockets) ws.fireOpen();
  // Earlier restarts that the clients did not recover from (the server came back for a moment
  // each time): their attempt counters climb towards the cap together.
  let current: FakeSocket[] = [...fakes.sockets];
  for (let r = 0; r < restarts; r++) {
    for (const ws of current) ws.fireClose(1001);
    const before = fakes.sockets.length;
    clock.advance(70_000);
    current = fakes.sockets.slice(before);
    for (const ws of current) ws.fireOpen();
  }
  const restartAt = clock.now();
  const before = fakes.sockets.length;
  for (const ws of current) ws.fireClose(1001, 'Server restart');
  clock.advance(70_000);
  const times = fakes.sockets.slice(before).map((ws) => ws.createdAt - restartAt);
  for (const s of sockets) s.dispose();
  return { times, restartAt };
}

describe('1,000 clients after a gateway restart', () => {
  it('spread over [2 s, 4 s] on the first retry: no 100 ms window holds more than 10 %', () => {
    const { times } = restartAll(0);
    expect(times).toHaveLength(clients);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(4_000);
    expect(busiestWindow(times)).toBeLessThanOrEqual(clients * 0.1);
  });

  it('at the cap they still spread over [2 s, 64 s] instead of landing on the cap together', () => {
    const { times } = restartAll(6); // attempt 7: ceiling 64 s
    expect(times).toHaveLength(clients);
    expect(busiestWindow(times)).toBeLessThanOrEqual(clients * 0.1);
    const nearCap = times.filter((t) => t > 63_000).length;
    expect(nearCap).toBeLessThan(clients * 0.05);
  });
});
