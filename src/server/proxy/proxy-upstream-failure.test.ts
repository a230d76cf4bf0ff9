/**
 * When the upstream is down, refuses the upgrade or never answers, the terminal is accepted and
 * closed with 1014 and a reason that says which — never left with a bare 1006 — each counted by
 * kind, and the pairs already open carry on.
 */
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { startProxy } from './proxy-server.ts';
import { startEchoUpstream } from './test-helpers/echo-upstream.ts';
import { openTerminal, rawUpgrade, RecordingObserver } from './test-helpers/raw-terminal.ts';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('proxy upstream failures', () => {
  it('upstream down: the terminal gets 1014 "upstream unreachable", the gauge never counts it', async () => {
    const observer = new RecordingObserver();
    const proxy = await startProxy({ upstream: `ws://127.0.0.1:${await deadPort()}/ws`, port: 0, observer });
    cleanup.push(() => proxy.close());
    // Offering pulse.v1 beside the bearer token: the proxy answers pulse.v1 so a ws client accepts the 101.
    const t = openTerminal(`${proxy.url}/ws`, ['pulse.v1', 'bearer.tok-123']);
    expect(await t.closed).toEqual({ code: 1014, reason: 'upstream unreachable' });
    expect(JSON.stringify(await t.upgradeHeaders)).not.toContain('tok-123');
    const metrics = await proxy.metricsText();
    expect(metricValue(metrics, 'pulse_proxy_upstream_failures_total', { kind: 'unreachable' })).toBe(1);
    expect(metricValue(metrics, 'pulse_proxy_closes_total', { code: '1014', by: 'proxy' })).toBe(1);
    expect(metricValue(metrics, 'pulse_proxy_connections')).toBe(0);
    expect(observer.of(0)).toEqual([{ kind: 'closed', code: 1014, reason: 'upstream unreachable', by: 'proxy' }]);
  });

  it('upstream refusing (401, 503) or stalling: 1014 with a reason each, counted by kind, while an open pair carries on', async () => {
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: upstream.url, port: 0, upstreamTimeoutMs: 300 });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const steady = openTerminal(`${proxy.url}/ws`);
    await steady.opened;

    const refused401 = openTerminal(`${proxy.url}/refuse-401`);
    const refused503 = openTerminal(`${proxy.url}/refuse-503?token=abc`);
    const stalled = openTerminal(`${proxy.url}/stall`);
    expect(await refused401.closed).toEqual({ code: 1014, reason: 'upstream refused the upgrade (401)' });
    expect(await refused503.closed).toEqual({ code: 1014, reason: 'upstream refused the upgrade (503)' });
    expect(await stalled.closed).toEqual({ code: 1014, reason: 'upstream timed out' });
    // The timed-out attempt is not left hanging at the upstream.
    await waitFor('the stalled upgrade dropped', () => upstream.stalledCount() === 0);

    steady.ws.send('still here');
    expect((await steady.message(0)).data.toString()).toBe('still here');
    const metrics = await proxy.metricsText();
    expect(metricValue(metrics, 'pulse_proxy_upstream_failures_total', { kind: 'refused' })).toBe(2);
    expect(metricValue(metrics, 'pulse_proxy_upstream_failures_total', { kind: 'timeout' })).toBe(1);
    expect(metricValue(metrics, 'pulse_proxy_connections')).toBe(1);
  });

  it('an upstream answer ws cannot accept (a protocol nobody offered) is a handshake failure: 1014 too', async () => {
    const upstream = await startEchoUpstream({ select: () => 'never.offered' });
    const proxy = await startProxy({ upstream: upstream.url, port: 0 });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const t = openTerminal(`${proxy.url}/ws`, ['pulse.v1']);
    expect(await t.closed).toEqual({ code: 1014, reason: 'upstream handshake failed' });
    expect(metricValue(await proxy.metricsText(), 'pulse_proxy_upstream_failures_total', { kind: 'handshake' })).toBe(1);
  });

  it('a bearer-only offer is answered with no protocol at all rather than the token', async () => {
    const proxy = await startProxy({ upstream: `ws://127.0.0.1:${await deadPort()}`, port: 0 });
    cleanup.push(() => proxy.close());
    const { status, headers } = await rawUpgrade(proxy.port, '/ws', 'bearer.tok-456');
    expect(status).toBe(101);
    expect(headers['sec-websocket-protocol']).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain('tok-456');
  });

  it('a terminal that leaves while the upstream is dialled: the dial is dropped, counted, and the observer told', async () => {
    const upstream = await startEchoUpstream();
    const observer = new RecordingObserver();
    const proxy = await startProxy({ upstream: upstream.url, port: 0, upstreamTimeoutMs: 10_000, observer });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const t = openTerminal(`${proxy.url}/stall`);
    await waitFor('the upstream holds the dial', () => upstream.stalledCount() === 1);
    t.ws.terminate();
    await waitFor('the dial dropped', () => upstream.stalledCount() === 0);
    expect(metricValue(await proxy.metricsText(), 'pulse_proxy_abandoned_upgrades_total')).toBe(1);
    expect(observer.of(0)).toEqual([{ kind: 'closed', code: 1006, reason: '', by: 'terminal' }]);
  });

  it('shutdown while a dial is pending tells that terminal 1001 too', async () => {
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: upstream.url, port: 0, upstreamTimeoutMs: 10_000 });
    cleanup.push(() => upstream.close());
    const t = openTerminal(`${proxy.url}/stall`);
    await waitFor('the upstream holds the dial', () => upstream.stalledCount() === 1);
    await proxy.close();
    expect(await t.closed).toEqual({ code: 1001, reason: 'proxy shutting down' });
    await waitFor('the dial dropped', () => upstream.stalledCount() === 0);
  });

  it('a half-sent upgrade is dropped at the headers deadline, counted, and never dials the upstream', async () => {
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: upstream.url, port: 0, headersTimeoutMs: 200 });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const socket = connect(proxy.port, '127.0.0.1');
    cleanup.push(async () => void socket.destroy());
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => {});
    socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await waitFor('the half-sent upgrade dropped', () => closed);
    expect(metricValue(await proxy.metricsText(), 'pulse_proxy_handshake_timeouts_total')).toBe(1);
    expect(upstream.sessions).toHaveLength(0);
    // A complete handshake still gets through.
    const t = openTerminal(`${proxy.url}/ws`);
    await t.opened;
  });

  it('a malformed upgrade is answered 400 without dialling the upstream', async () => {
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: upstream.url, port: 0 });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'short' } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(upstream.sessions).toHaveLength(0);
    expect(metricValue(await proxy.metricsText(), 'pulse_proxy_upgrades_total')).toBe(0);
  });
});
