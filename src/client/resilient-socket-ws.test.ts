/**
 * The resilient socket on real sockets: `ws`'s WebSocket (injected, as the simulator does) against
 * a tiny `ws` server on 127.0.0.1, port 0. Intervals are compressed; every wait is bounded.
 */
 
import { once } from 'node:events';
 
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
 
import { WebSocket, WebSocketServer } from 'ws';
import { seededRandom, systemClock } from '../core/clock.ts';
import { createResilientSocket } from './resilient-socket.ts';
import type { ResilientSocket, ResilientSocketEvents, ResilientSocketOptions, WebSocketLike } from './socket-types.ts';

const createSocket = (url: string, protocols: string[]): WebSocketLike => new WebSocket(url, protocols);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A POS-like server: answers pings with pongs echoing their seq; records what it received. */
async function startServer(): Promise<{ url: string; server: WebSocketServer; pings: Array<{ seq: number; rtt?: number }> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => [...offered][0] ?? false });
  await once(server, 'listening');
  const pings: Array<{ seq: number; rtt?: number }> = [];
  server.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; seq: number; rtt?: number };
      if (frame.type !== 'ping') return;
      pings.push(frame);
      ws.send(JSON.stringify({ type: 'pong', seq: frame.seq, timestamp: Date.now() }));
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws`, server, pings };
}

function resilient(overrides: Partial<ResilientSocketOptions> & { url: string }): ResilientSocket {
  const socket = createResilientSocket({
    protocols: () => ['pulse.v1', 'bearer.not-a-real-token'],
    createSocket,
    clock: systemClock(),
    random: seededRandom(1),
    heartbeatIntervalMs: 40,
    stableAfterMs: 100,
    backoff: { baseMs: 20, capMs: 200 },
    ...overrides,
  });
  cleanups.push(() => socket.dispose());
  return socket;
}

/** Resolves with the next `event`, or rejects after `ms`. */
function next<E extends keyof ResilientSocketEvents>(socket: ResilientSocket, event: E, ms = 3_000): Promise<Parameters<ResilientSocketEvents[E]>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const off = socket.on(event, ((...args: Parameters<ResilientSocketEvents[E]>) => {
      clearTimeout(timer);
      off();
      resolve(args);
    }) as ResilientSocketEvents[E]);
  });
}

describe('resilient socket over real sockets', () => {
  it('connects, pings, measures RTT, and reconnects after the server closes the connection', async () => {
    const { url, server, pings } = await startServer();
    const socket = resilient({ url });
    const opened = next(socket, 'open');
    socket.connect();
    const [open] = await opened;
    expect(open).toEqual({ attempt: 0, protocol: 'pulse.v1' });

    const [pong] = await next(socket, 'pong');
    expect(pong.rttMs).toBeGreaterThanOrEqual(0);
    expect(pong.rttMs).toBeLessThan(1_000);
    expect(socket.lastRttMs).toBe(pong.rttMs);
    await next(socket, 'pong');
    // The ping after a measured round trip carries it (DESIGN.md: `rtt` = last measured).
    expect(pings[0]!.rtt).toBeUndefined();
    expect(pings.slice(1).some((p) => typeof p.rtt === 'number')).toBe(true);
    expect(socket.health()).toBe('healthy');

    const closed = next(socket, 'close');
    const scheduled = next(socket, 'reconnect_scheduled');
    const reopened = next(socket, 'open');
    for (const client of server.clients) client.close(1001, 'restart');
    const [close] = await closed;
    expect(close.code).toBe(1001);
    expect(close.reason).toBe('restart');
    const [retry] = await scheduled;
    expect(retry.attempt).toBe(1);
    expect(retry.delayMs).toBeGreaterThanOrEqual(20);
    const [again] = await reopened;
    expect(again.attempt).toBe(1);
    expect(socket.state).toBe('open');
    await next(socket, 'pong');
    expect(server.clients.size).toBe(1);
  });

  it('a refused connection (error, then close) schedules one attempt per failure', async () => {
    const { url, server } = await startServer();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const socket = resilient({ url, maxReconnectAttempts: 2 });
    const failed = next(socket, 'failed');
    const attempts: number[] = [];
    socket.on('reconnect_scheduled', ({ attempt }) => attempts.push(attempt));
    socket.connect();
    const [info] = await failed;
    expect(info.reason).toBe('max_reconnect_reached');
    expect(attempts).toEqual([1, 2]);
    expect(socket.state).toBe('failed');
  });

  it('dispose() during the handshake does not crash on the error ws emits afterwards', async () => {
    const { url, server } = await startServer();
    let connections = 0;
    server.on('connection', () => connections++);
    const socket = resilient({ url });
    socket.connect();
    socket.dispose(); // ws aborts the handshake and emits 'error' on the next tick
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(socket.state).toBe('closed');
    socket.connect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections).toBe(0);
  });
});
