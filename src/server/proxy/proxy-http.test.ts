/**
 * The proxy's own HTTP on the terminals' port — /healthz, a JSON 404 for anything else, /metrics
 * included — its /metrics on a listener of its own (issue 18, item 13), and its logs, which at
 * debug level still carry no token (OWASP; PITFALLS.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { createLogger } from '../log/logger.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { startProxy } from './proxy-server.ts';
import { startEchoUpstream } from './test-helpers/echo-upstream.ts';
import { openTerminal } from './test-helpers/raw-terminal.ts';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const http = (port: number, path: string, method = 'GET') => fetch(`http://127.0.0.1:${port}${path}`, { method });

describe('proxy http', () => {
  it('serves /healthz on the terminals\' port and /metrics only on its own listener; a JSON 404 for anything else', async () => {
    const upstream = await startEchoUpstream();
    const proxy = await startProxy({ upstream: `${upstream.url}/ws`, port: 0, proxyId: 'px-test-1', metricsListen: { host: '127.0.0.1', port: 0 } });
    cleanup.push(() => upstream.close(), () => proxy.close());
    const t = openTerminal(`${proxy.url}/ws`);
    await t.opened;
    t.ws.send('12345');
    await t.message(0);

    const metricsUrl = new URL(proxy.metricsUrl!);
    expect(metricsUrl.pathname).toBe('/metrics');
    expect(Number(metricsUrl.port)).not.toBe(proxy.port);
    const metrics = await fetch(metricsUrl);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(metricValue(text, 'pulse_proxy_connections', { proxy: 'px-test-1' })).toBe(1);
    expect(metricValue(text, 'pulse_proxy_upgrades_total')).toBe(1);
    expect(metricValue(text, 'pulse_proxy_messages_total', { direction: 'in' })).toBe(1);
    expect(metricValue(text, 'pulse_proxy_message_bytes_total', { direction: 'out' })).toBe(5);
    expect(metricValue(text, 'pulse_proxy_upstream_failures_total', { kind: 'unreachable' })).toBe(0);
    expect(text).not.toContain('process_cpu');
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(new URL('/healthz', metricsUrl))).status).toBe(404);

    // The terminals' port: no metrics (before, anyone who could reach a terminal's port read them).
    const onTerminalsPort = await http(proxy.port, '/metrics');
    expect(onTerminalsPort.status).toBe(404);
    expect(await onTerminalsPort.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const health = await http(proxy.port, '/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', proxy: 'px-test-1', upstream: `${upstream.url}/ws`, connections: 1 });
    expect((await http(proxy.port, '/healthz', 'POST')).status).toBe(405);

    const missing = await http(proxy.port, '/ws');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('without metricsListen there is no metrics listener at all', async () => {
    const proxy = await startProxy({ upstream: 'ws://127.0.0.1:9', port: 0 });
    cleanup.push(() => proxy.close());
    expect(proxy.metricsUrl).toBeNull();
    expect((await http(proxy.port, '/metrics')).status).toBe(404);
  });

  it('adds process metrics only when asked', async () => {
    const proxy = await startProxy({ upstream: 'ws://127.0.0.1:9', port: 0, processMetrics: true, metricsListen: { port: 0 } });
    cleanup.push(() => proxy.close());
    expect(await (await fetch(proxy.metricsUrl!)).text()).toContain('process_cpu_user_seconds_total');
  });

  it('logs no token at debug level, by query or by subprotocol, refused or carried', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', name: 'proxy', destination: { write: (s: string) => void lines.push(s) } });
    const upstream = await startEchoUpstream({ select: (offered) => (offered.has('pulse.v1') ? 'pulse.v1' : false) });
    const proxy = await startProxy({ upstream: upstream.url, port: 0, logger });
    const byQuery = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0MSJ9.query-signature-1';
    const byProtocol = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0MiJ9.protocol-signature-2';
    try {
      const a = openTerminal(`${proxy.url}/ws?token=${byQuery}`);
      const b = openTerminal(`${proxy.url}/ws`, ['pulse.v1', `bearer.${byProtocol}`], { headers: { authorization: `Bearer ${byProtocol}` } });
      const c = openTerminal(`${proxy.url}/refuse-401?token=${byQuery}`);
      const d = openTerminal(`${proxy.url}/refuse-403?token=${byQuery}`, ['pulse.v1', `bearer.${byProtocol}`]);
      await Promise.all([a.opened, b.opened, c.closed, d.closed]);
      a.ws.close(4001, 'bye');
      b.ws.terminate();
      await waitFor('both pairs over', () => proxy.connectionCount() === 0);
    } finally {
      await proxy.close();
      await upstream.close();
    }
    const out = lines.join('');
    for (const token of [byQuery, byProtocol]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(token.split('.')[2]!);
    }
    // Worth something only if the lines that could carry a token were written.
    // (Refusals are logged at most once a second: one of the two is.)
    expect(out).toMatch(/refuse-40[13]\?token=\[REDACTED\]/);
    expect(out).toContain('pair opened');
    expect(out).toContain('pair closed');
    expect(out).toContain('proxy listening');
  });
});
