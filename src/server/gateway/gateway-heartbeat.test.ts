/**
 * Heartbeat watchdog with compressed intervals (200 ms interval, 100 ms grace: dead after 500 ms
 * without a ping). A half-open peer behind a black-hole proxy must be terminated within that bound
 * — not after ws's 30 s close timeout — and reported as 4008 by the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { startGateway } from './gateway.ts';
import type { Gateway } from './gateway.ts';
import { startBlackholeProxy } from './test-helpers/blackhole-proxy.ts';
import { RecordingProbe, connectTerminal, metricValue, sleep } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';
const intervalMs = 200;
const graceMs = 100;
const deadAfterMs = 2 * intervalMs + graceMs;
// Sweep period (grace / 4) plus scheduling slack on a shared 2-core machine.
const slackMs = 250;

let gateway: Gateway;
let probe: RecordingProbe;

beforeAll(async () => {
  probe = new RecordingProbe();
  gateway = await startGateway({ secret, port: 0, probe, heartbeatIntervalMs: intervalMs, heartbeatGraceMs: graceMs });
});
afterAll(() => gateway.close());

describe('heartbeat watchdog', () => {
  it('terminates a half-open peer with 4008 within 2 intervals + grace, and the gauge drops', async () => {
    const target = new URL(gateway.url);
    const proxy = await startBlackholeProxy(target.hostname, Number(target.port));
    try {
      const t = connectTerminal(proxy.urlFor(gateway.url), { kind: 'subprotocol', token: signTerminalToken(secret, 'r-009-t1', 'r-009', 60) });
      await t.next('welcome');
      const open = await probe.waitFor('open', (e) => e.rid === 'r-009');
      // A live terminal: pings every 100 ms, each answered.
      let seq = 0;
      const pinger = setInterval(() => t.ping(++seq, 3), 100);
      try {
        await t.next('pong', (m) => m.seq >= 3);
        expect(metricValue(await gateway.metricsText(), 'pulse_gateway_connections', { restaurant: 'r-009' })).toBe(1);

        proxy.blackhole();
        const close = await probe.waitFor('close', (e) => e.conn === open.conn, deadAfterMs + slackMs + 1000);
        const lastBeat = probe.of('heartbeat').filter((e) => e.conn === open.conn).at(-1)!;
        expect(close).toMatchObject({ code: 4008, cause: 'heartbeat_timeout', byServer: true, reason: 'Heartbeat timeout', rid: 'r-009', tid: 'r-009-t1' });
        const silentFor = close.t - lastBeat.t;
        expect(silentFor).toBeGreaterThan(deadAfterMs);
        expect(silentFor).toBeLessThanOrEqual(deadAfterMs + slackMs);
      } finally {
        clearInterval(pinger);
      }
      // The terminal itself heard nothing: to it the connection still looks open. That is what half-open means.
      expect(t.ws.readyState).toBe(t.ws.OPEN);
      expect(proxy.connectionCount()).toBe(1);
      expect(gateway.connectionCount()).toBe(0);
      const text = await gateway.metricsText();
      expect(metricValue(text, 'pulse_gateway_connections', { restaurant: 'r-009' })).toBe(0);
      expect(metricValue(text, 'pulse_gateway_closes_total', { code: '4008' })).toBe(1);
      t.ws.terminate();
    } finally {
      await proxy.close();
    }
  });

  it('a silent but reachable terminal is told 4008 before being dropped', async () => {
    const t = connectTerminal(gateway.url, { kind: 'query', token: signTerminalToken(secret, 'r-010-t1', 'r-010', 60) });
    await t.next('welcome');
    const closed = await t.closed;
    // The close frame is written before the terminate, so a reachable peer learns why.
    expect(closed).toEqual({ code: 4008, reason: 'Heartbeat timeout' });
    // Timing on the gateway's clock (the client's view lags under load): no ping since the open.
    const open = await probe.waitFor('open', (e) => e.rid === 'r-010');
    const close = await probe.waitFor('close', (e) => e.rid === 'r-010');
    expect(close.t - open.t).toBeGreaterThan(deadAfterMs);
    expect(close.t - open.t).toBeLessThanOrEqual(deadAfterMs + slackMs);
    expect(close.durationMs).toBe(close.t - open.t);
    expect(close).toMatchObject({ code: 4008, cause: 'heartbeat_timeout', byServer: true });
  });

  it('a reported rtt longer than the interval is dropped and counted; the ping still counts and the terminal stays', async () => {
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-012-t1', 'r-012', 60) });
    await t.next('welcome');
    const open = await probe.waitFor('open', (e) => e.rid === 'r-012');
    t.ping(1, 1e9);
    await t.next('pong', (m) => m.seq === 1);
    t.ping(2, 7);
    await t.next('pong', (m) => m.seq === 2);
    const beats = probe.of('heartbeat').filter((e) => e.conn === open.conn);
    expect(beats.map((b) => b.rtt)).toEqual([undefined, 7]);
    expect(metricValue(await gateway.metricsText(), 'pulse_gateway_implausible_rtt_total', {})).toBe(1);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    t.ws.close(1000);
  });

  it('classifies pings as on time (≤ interval + grace since the previous) or late, and a late one keeps the connection', async () => {
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-011-t1', 'r-011', 60) });
    await t.next('welcome');
    const open = await probe.waitFor('open', (e) => e.rid === 'r-011');
    const before = await gateway.metricsText();
    await sleep(100);
    t.ping(1, 5);
    await t.next('pong', (m) => m.seq === 1);
    await sleep(intervalMs + graceMs + 30); // late, yet well short of the 500 ms deadline
    t.ping(2);
    await t.next('pong', (m) => m.seq === 2);
    const beats = probe.of('heartbeat').filter((e) => e.conn === open.conn);
    expect(beats.map((b) => b.onTime)).toEqual([true, false]);
    expect(beats[0]!.rtt).toBe(5);
    expect(beats[1]!.rtt).toBeUndefined();
    expect(beats[1]!.gapMs).toBeGreaterThan(intervalMs + graceMs);
    const after = await gateway.metricsText();
    const delta = (result: string) =>
      metricValue(after, 'pulse_gateway_heartbeats_total', { result })! - metricValue(before, 'pulse_gateway_heartbeats_total', { result })!;
    expect(delta('on_time')).toBe(1);
    expect(delta('late')).toBe(1);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    t.ws.close(1000, 'bye');
    const close = await probe.waitFor('close', (e) => e.conn === open.conn);
    expect(close).toMatchObject({ code: 1000, cause: 'client_close', byServer: false, reason: 'bye' });
  });
});
