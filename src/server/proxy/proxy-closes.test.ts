/**
 * Closes pass through unchanged: every code with its reason, from either side, with the observer
 * told who closed first; a side that vanishes makes the other see 1006; a close without a code
 * stays without one; the proxy's own verdicts (shutdown, a frame over its limit) reach both sides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { startGateway } from '../gateway/gateway.ts';
import { connectTerminal, metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import type { ProxyObserver } from './proxy-observer.ts';
import { startProxy } from './proxy-server.ts';
import type { Proxy, ProxyOptions } from './proxy-server.ts';
import { startEchoUpstream } from './test-helpers/echo-upstream.ts';
import type { EchoUpstream, UpstreamSession } from './test-helpers/echo-upstream.ts';
import { openTerminal, RecordingObserver } from './test-helpers/raw-terminal.ts';
import type { RawTerminal } from './test-helpers/raw-terminal.ts';

const codes = [1000, 1001, 1008, 1009, 1011, 3000, 4001, 4008, 4999];

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(options: Partial<ProxyOptions> = {}): Promise<{ upstream: EchoUpstream; proxy: Proxy; observer: RecordingObserver }> {
  const upstream = await startEchoUpstream();
  const observer = new RecordingObserver();
  const proxy = await startProxy({ upstream: upstream.url, port: 0, observer, ...options });
  cleanup.push(() => upstream.close(), () => proxy.close());
  return { upstream, proxy, observer };
}

/** A terminal through the proxy, its upstream session, and the index of its upgrade at the observer. */
async function pairAt(proxy: Proxy, upstream: EchoUpstream, observer: RecordingObserver, path: string): Promise<{ t: RawTerminal; s: UpstreamSession; n: number }> {
  const t = openTerminal(proxy.url + path);
  await t.opened;
  await waitFor(`upstream session ${path}`, () => upstream.sessions.some((s) => s.url === path));
  return { t, s: upstream.sessions.find((s) => s.url === path)!, n: observer.upgrades.findIndex((u) => u.path === path) };
}

describe('proxy closes', () => {
  it('forwards every close code and reason from the terminal, and says the terminal closed', async () => {
    const { proxy, upstream, observer } = await setup();
    const pairs = await Promise.all(codes.map((code) => pairAt(proxy, upstream, observer, `/t${code}`)));
    pairs.forEach(({ t }, i) => t.ws.close(codes[i], `terminal says ${codes[i]}`));
    const seen = await Promise.all(pairs.map(({ s }) => s.closed));
    expect(seen).toEqual(codes.map((code) => ({ code, reason: `terminal says ${code}` })));
    await waitFor('every pair over', () => proxy.connectionCount() === 0);
    expect(pairs.map(({ n }) => observer.closedOf(n))).toEqual(codes.map((code) => ({ kind: 'closed', code, reason: `terminal says ${code}`, by: 'terminal' })));
  });

  it('forwards every close code and reason from the upstream, and says the upstream closed', async () => {
    const { proxy, upstream, observer } = await setup();
    const pairs = await Promise.all(codes.map((code) => pairAt(proxy, upstream, observer, `/u${code}`)));
    pairs.forEach(({ s }, i) => s.ws.close(codes[i], `gateway says ${codes[i]} ✓`));
    const seen = await Promise.all(pairs.map(({ t }) => t.closed));
    expect(seen).toEqual(codes.map((code) => ({ code, reason: `gateway says ${code} ✓` })));
    await waitFor('every pair over', () => proxy.connectionCount() === 0);
    expect(pairs.map(({ n }) => observer.closedOf(n)?.by)).toEqual(codes.map(() => 'upstream'));
    const metrics = await proxy.metricsText();
    expect(metricValue(metrics, 'pulse_proxy_closes_total', { code: '4008', by: 'upstream' })).toBe(1);
  });

  it('a close without a code stays without one (1005), both ways', async () => {
    const { proxy, upstream, observer } = await setup();
    const a = await pairAt(proxy, upstream, observer, '/a');
    const b = await pairAt(proxy, upstream, observer, '/b');
    a.t.ws.close();
    b.s.ws.close();
    expect((await a.s.closed).code).toBe(1005);
    expect((await b.t.closed).code).toBe(1005);
  });

  it('a terminal that vanishes makes the upstream see 1006, and the reverse', async () => {
    const { proxy, upstream, observer } = await setup();
    const a = await pairAt(proxy, upstream, observer, '/a');
    const b = await pairAt(proxy, upstream, observer, '/b');
    a.t.ws.terminate(); // the TCP connection drops, no close frame
    b.s.ws.terminate();
    expect(await a.s.closed).toEqual({ code: 1006, reason: '' });
    expect(await b.t.closed).toEqual({ code: 1006, reason: '' });
    await waitFor('both pairs over', () => proxy.connectionCount() === 0);
    expect(observer.closedOf(a.n)).toMatchObject({ code: 1006, by: 'terminal' });
    expect(observer.closedOf(b.n)).toMatchObject({ code: 1006, by: 'upstream' });
  });

  it('close() ends every pair with 1001 on both sides, is idempotent, and stops listening', async () => {
    const { proxy, upstream, observer } = await setup();
    const a = await pairAt(proxy, upstream, observer, '/a');
    const b = await pairAt(proxy, upstream, observer, '/b');
    await Promise.all([proxy.close(), proxy.close()]);
    for (const p of [a, b]) {
      expect(await p.t.closed).toEqual({ code: 1001, reason: 'proxy shutting down' });
      expect(await p.s.closed).toEqual({ code: 1001, reason: 'proxy shutting down' });
      expect(observer.closedOf(p.n)).toMatchObject({ code: 1001, by: 'proxy' });
    }
    const late = openTerminal(`${proxy.url}/late`);
    await expect(late.opened).rejects.toThrow();
  });

  it('a frame over maxFrameBytes closes the sender with 1009 and the other side too, and the proxy serves on', async () => {
    const { proxy, upstream, observer } = await setup({ maxFrameBytes: 1024 });
    const a = await pairAt(proxy, upstream, observer, '/a');
    a.t.ws.send(Buffer.alloc(2048));
    expect((await a.t.closed).code).toBe(1009);
    expect((await a.s.closed).code).toBe(1009);
    expect(observer.closedOf(a.n)).toMatchObject({ code: 1009, by: 'proxy' });
    const b = await pairAt(proxy, upstream, observer, '/b');
    b.t.ws.send('still here');
    expect((await b.t.message(0)).data.toString()).toBe('still here');
  });

  it('an observer that throws everywhere is counted and hurts nothing', async () => {
    const angry: ProxyObserver = {
      upgrade: () => ({
        opened: () => {
          throw new Error('opened');
        },
        message: () => {
          throw new Error('message');
        },
        closed: () => {
          throw new Error('closed');
        },
      }),
    };
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: upstream.url, port: 0, observer: angry });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const t = openTerminal(`${proxy.url}/ws`);
    await t.opened;
    t.ws.send('one');
    expect((await t.message(0)).data.toString()).toBe('one');
    const s = await upstream.session(0);
    t.ws.close(4001, 'bye');
    expect(await s.closed).toEqual({ code: 4001, reason: 'bye' });
    await waitFor('pair over', () => proxy.connectionCount() === 0);
    // opened + 2 messages (in, out) + closed
    expect(metricValue(await proxy.metricsText(), 'pulse_proxy_observer_errors_total')).toBe(4);
  });

  it('passes the reference gateway\'s own verdicts: 4001 for a bad token, 1009 for a frame over its 64 KiB', async () => {
    const secret = 'proxy-close-secret-0123456789-abcdef';
    const gateway = await startGateway({ secret, port: 0 });
    const observer = new RecordingObserver();
    const proxy = await startProxy({ upstream: gateway.url, port: 0, observer });
    cleanup.push(() => gateway.close(), () => proxy.close());
    const bad = connectTerminal(`${proxy.url}/ws`, { kind: 'query', token: 'not-a-token' });
    expect(await bad.closed).toEqual({ code: 4001, reason: 'Invalid token' });
    const good = connectTerminal(`${proxy.url}/ws`, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await good.next('welcome');
    good.ws.send(Buffer.alloc(100 * 1024, 0x61), { binary: false });
    expect((await good.closed).code).toBe(1009);
    await waitFor('both pairs over', () => proxy.connectionCount() === 0);
    expect(observer.closedOf(0)).toMatchObject({ code: 4001, by: 'upstream' });
    expect(observer.closedOf(1)).toMatchObject({ code: 1009, by: 'upstream' });
  });
});
