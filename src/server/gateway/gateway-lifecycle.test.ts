/**
 * The gateway as an HTTP server and a process citizen: /metrics and /healthz on the same port,
 * 404 for other paths (upgrades included), unique ids, and a shutdown that tells every terminal
 * 1001 before it stops listening.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { startGateway } from './gateway.ts';
import { RecordingProbe, connectTerminal, metricValue } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';
const token = (rid: string, tid: string) => signTerminalToken(secret, tid, rid, 60);

describe('HTTP on the gateway port', () => {
  it('/metrics, on its own listener only, reports connections per restaurant and closes by code, with the gateway id', async () => {
    const gateway = await startGateway({ secret, port: 0, gatewayId: 'gw-test-metrics', metricsListen: { port: 0 } });
    try {
      const ts = [
        connectTerminal(gateway.url, { kind: 'subprotocol', token: token('r-001', 'r-001-t1') }),
        connectTerminal(gateway.url, { kind: 'subprotocol', token: token('r-001', 'r-001-t2') }),
        connectTerminal(gateway.url, { kind: 'query', token: token('r-002', 'r-002-t1') }),
      ];
      await Promise.all(ts.map((t) => t.next('welcome')));
      const bad = connectTerminal(gateway.url, { kind: 'subprotocol', token: 'nope' });
      await bad.closed;

      // Not on the terminals' port: the series name every restaurant (issue 18, item 13).
      expect((await fetch(gateway.url.replace('ws:', 'http:').replace('/ws', '/metrics'))).status).toBe(404);
      expect(gateway.metricsUrl).not.toContain(`:${gateway.port}/`);
      const res = await fetch(gateway.metricsUrl!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(metricValue(text, 'pulse_gateway_connections', { restaurant: 'r-001', gateway: 'gw-test-metrics' })).toBe(2);
      expect(metricValue(text, 'pulse_gateway_connections', { restaurant: 'r-002' })).toBe(1);
      expect(metricValue(text, 'pulse_gateway_auth_failures_total', { reason: 'malformed' })).toBe(1);
      // No process metrics unless asked for (the CLI asks).
      expect(text).not.toContain('process_cpu_seconds_total');

      ts[0]!.ws.close(1000);
      await ts[0]!.closed;
      ts[1]!.ws.send(Buffer.from([0]));
      await ts[1]!.closed;
      await new Promise((r) => setTimeout(r, 20));
      const after = await gateway.metricsText();
      expect(metricValue(after, 'pulse_gateway_connections', { restaurant: 'r-001' })).toBe(0);
      expect(metricValue(after, 'pulse_gateway_closes_total', { code: '1000' })).toBe(1);
      expect(metricValue(after, 'pulse_gateway_closes_total', { code: '1008' })).toBe(1);
      expect(metricValue(after, 'pulse_gateway_closes_total', { code: '4008' })).toBe(0);
      expect(metricValue(after, 'pulse_gateway_messages_total', { direction: 'in' })).toBe(1);
      expect(metricValue(after, 'pulse_gateway_messages_total', { direction: 'out' })).toBe(4); // 3 welcomes + 1 error frame
    } finally {
      await gateway.close();
    }
  });

  it('/healthz answers; other paths are 404, upgrades included; plain GET /ws asks for an upgrade', async () => {
    const gateway = await startGateway({ secret, port: 0 });
    const base = `http://127.0.0.1:${gateway.port}`;
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', gateway: gateway.id, connections: 0 });
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/ws`)).status).toBe(426);
      // Refusals carry their stable codes (src/protocol/errors.ts).
      const post = await fetch(`${base}/healthz`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(await post.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
      expect(await (await fetch(`${base}/ws`)).json()).toMatchObject({ error: { code: 'UPGRADE_REQUIRED' } });

      const t = connectTerminal(`ws://127.0.0.1:${gateway.port}/live`, { kind: 'subprotocol', token: token('r-001', 'r-001-t1') });
      const status = await new Promise<number>((resolve) => t.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(404);
      expect(gateway.connectionCount()).toBe(0);
    } finally {
      await gateway.close();
    }
  });

  it('default ids are unique per port and name the host', async () => {
    const [a, b] = await Promise.all([startGateway({ secret, port: 0 }), startGateway({ secret, port: 0 })]);
    try {
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(new RegExp(`^gw-.+-${a.port}$`));
      expect(a.url).toBe(`ws://127.0.0.1:${a.port}/ws`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('close()', () => {
  it('sends 1001 "Server shutting down" to every terminal, reports it, then stops listening', async () => {
    const probe = new RecordingProbe();
    const gateway = await startGateway({ secret, port: 0, probe });
    const ts = Array.from({ length: 5 }, (_, i) => connectTerminal(gateway.url, { kind: 'subprotocol', token: token(`r-00${i % 2}`, `t-${i}`) }));
    await Promise.all(ts.map((t) => t.next('welcome')));
    await gateway.close();
    const closes = await Promise.all(ts.map((t) => t.closed));
    expect(closes).toEqual(Array.from({ length: 5 }, () => ({ code: 1001, reason: 'Server shutting down' })));
    const reported = probe.of('close');
    expect(reported).toHaveLength(5);
    expect(reported.every((e) => e.code === 1001 && e.cause === 'going_away' && e.byServer)).toBe(true);
    expect(gateway.connectionCount()).toBe(0);
    // Nothing listens on the port any more.
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(gateway.port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await gateway.close(); // idempotent
  });

  it('a terminal that never answers the close frame does not hold the shutdown beyond its bound', async () => {
    const gateway = await startGateway({ secret, port: 0 });
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: token('r-001', 'r-001-t1') });
    await t.next('welcome');
    t.ws.pause(); // stops reading: our close frame is never seen, so never answered
    const started = Date.now();
    await gateway.close();
    expect(Date.now() - started).toBeLessThan(4000);
    t.ws.terminate();
  });
});
