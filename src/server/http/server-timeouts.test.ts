/**
 * Half-sent upgrade requests are dropped within the headers deadline (issue 18, item 2), on the
 * gateway and on the hub, while a complete handshake still gets through.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signTerminalToken } from '../auth/tokens.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { startGateway } from '../gateway/gateway.ts';
import { startHub } from '../hub/hub.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { waitFor } from '../test-helpers/wait-for.ts';

const secret = 'server-timeouts-secret-0123456789';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `n` connections that send the start of an upgrade and then nothing; resolves to their closed flags. */
async function halfSent(port: number, path: string, n: number): Promise<{ closed: boolean[]; sockets: Socket[] }> {
  const closed = new Array<boolean>(n).fill(false);
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) => new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
        resolve();
      });
      s.on('error', () => {});
      s.once('error', reject);
      s.on('close', () => (closed[i] = true));
      sockets.push(s);
    })),
  );
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  return { closed, sockets };
}

describe('headers deadline', () => {
  it('the gateway drops half-sent upgrades after its headers timeout, and still serves a terminal', async () => {
    const gateway = await startGateway({ secret, port: 0, headersTimeoutMs: 1000 });
    cleanups.push(() => gateway.close());
    const started = Date.now();
    const { closed } = await halfSent(gateway.port, '/ws', 30);
    await waitFor('all 30 dropped', () => closed.every(Boolean), 10_000);
    // Node's default would have held them 60 s or more.
    expect(Date.now() - started).toBeLessThan(8_000);
    const ws = new WebSocket(`${gateway.url}?token=${signTerminalToken(secret, 't1', 'r-001')}`);
    cleanups.push(() => ws.terminate());
    const first = await new Promise<string>((resolve, reject) => ws.once('message', (d) => resolve(String(d))).once('error', reject));
    expect(JSON.parse(first)).toMatchObject({ type: 'welcome' });
    expect(await gateway.metricsText()).toMatch(/^pulse_gateway_handshake_timeouts_total\{[^}]*\} 30$/m);
  });

  it('caps half-sent upgrades per source address: over the cap dropped at once and counted, other sources still served', async () => {
    const gateway = await startGateway({ secret, port: 0, headersTimeoutMs: 5000, maxPendingPerSource: 20 });
    cleanups.push(() => gateway.close());
    // 60 half-sent upgrades from one address, bounded: 20 wait for their deadline, 40 are dropped now.
    const { closed } = await halfSent(gateway.port, '/ws', 60);
    await waitFor('40 over the cap dropped', () => closed.filter(Boolean).length === 40, 3000);
    expect(await gateway.metricsText()).toMatch(/^pulse_gateway_handshake_refusals_total\{[^}]*\} 40$/m);
    // Another source address (the simulator binds 127.0.x.y the same way) is not held back.
    const ws = new WebSocket(`${gateway.url}?token=${signTerminalToken(secret, 't1', 'r-001')}`, { localAddress: '127.0.0.2' });
    cleanups.push(() => ws.terminate());
    const first = await new Promise<string>((resolve, reject) => ws.once('message', (d) => resolve(String(d))).once('error', reject));
    expect(JSON.parse(first)).toMatchObject({ type: 'welcome' });
    // Still only 20 of the first source waiting: none of the refused ones came back.
    expect(closed.filter((c) => !c)).toHaveLength(20);
  });

  it('the hub drops half-sent /live and /ingest upgrades the same way', async () => {
    const tmp = makeTempDir('pulse-timeouts-');
    cleanups.push(tmp.remove);
    const { store } = await openSqliteStore({ dataDir: tmp.dir });
    cleanups.push(() => store.close());
    const hub = await startHub({ secret, port: 0, bus: createMemoryBus(), store, staticDir: `${tmp.dir}/none`, headersTimeoutMs: 1000 });
    cleanups.push(() => hub.close());
    const live = await halfSent(hub.port, '/live', 10);
    const ingest = await halfSent(hub.port, '/ingest', 10);
    await waitFor('all 20 dropped', () => live.closed.every(Boolean) && ingest.closed.every(Boolean), 10_000);
    expect(await hub.metricsText()).toMatch(/^pulse_hub_handshake_timeouts_total\{[^}]*\} 20$/m);
  });
});
