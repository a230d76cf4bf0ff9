/**
 * Limits on real sockets: an oversized frame closes 1009 without taking the process (or its
 * neighbours) down; binary, non-JSON, unknown and schema-invalid frames and a flood close 1008 with
 * a reason that says which; every refusal is reported as a `limit` probe event before its `close`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import type { LimitKind } from '../../protocol/probe-events.ts';
import { startGateway } from './gateway.ts';
import type { Gateway } from './gateway.ts';
import { RecordingProbe, connectTerminal, metricValue, sleep } from './test-helpers/test-terminal.ts';
import type { TestTerminal } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';
let gateway: Gateway;
let probe: RecordingProbe;
let n = 0;

beforeAll(async () => {
  probe = new RecordingProbe();
  gateway = await startGateway({ secret, port: 0, probe, rateLimit: { capacity: 10, refillPerSec: 10 } });
});
afterAll(() => gateway.close());

async function terminal(): Promise<{ t: TestTerminal; conn: string }> {
  const tid = `r-001-t${++n}`;
  const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, tid, 'r-001', 60) });
  await t.next('welcome');
  const open = await probe.waitFor('open', (e) => e.tid === tid);
  return { t, conn: open.conn };
}

/** The limit event comes first, then the close it caused, with the same cause in both. */
async function expectRefused(conn: string, kind: LimitKind, code: number, cause: string) {
  const close = await probe.waitFor('close', (e) => e.conn === conn);
  expect(close).toMatchObject({ code, cause, byServer: true });
  const order = probe.events.filter((e) => 'conn' in e && e.conn === conn).map((e) => e.type);
  expect(order.indexOf('limit')).toBeGreaterThanOrEqual(0);
  expect(order.indexOf('limit')).toBeLessThan(order.indexOf('close'));
  expect(probe.of('limit').find((e) => e.conn === conn)?.kind).toBe(kind);
}

describe('frame size', () => {
  it('a 100 KiB frame closes 1009, and another terminal is still served', async () => {
    const bystander = await terminal();
    const big = await terminal();
    big.t.ws.send(JSON.stringify({ type: 'ping', seq: 1, timestamp: Date.now(), pad: 'x'.repeat(100 * 1024) }));
    const closed = await big.t.closed;
    expect(closed.code).toBe(1009);
    await expectRefused(big.conn, 'size', 1009, 'too_large');

    bystander.t.ping(42);
    expect((await bystander.t.next('pong', (m) => m.seq === 42)).seq).toBe(42);
    const fresh = await terminal();
    fresh.t.ping(1);
    await fresh.t.next('pong');
    expect(metricValue(await gateway.metricsText(), 'pulse_gateway_limit_hits_total', { kind: 'size' })).toBe(1);
    bystander.t.ws.close();
    fresh.t.ws.close();
    await Promise.all([bystander.t.closed, fresh.t.closed]);
  });

  it('a frame just under 64 KiB is still accepted as far as size goes', async () => {
    const { t, conn } = await terminal();
    // Valid JSON of the right size but not a protocol message: refused as invalid, not as too large.
    t.ws.send(JSON.stringify({ type: 'ping', seq: 1, timestamp: 1, rtt: 1, pad: 'y'.repeat(60 * 1024) }));
    const pong = await t.next('pong');
    expect(pong.seq).toBe(1); // zod strips unknown keys: a padded ping is still a ping
    t.ws.close();
    await t.closed;
    expect(probe.of('limit').find((e) => e.conn === conn)).toBeUndefined();
  });
});

describe('invalid messages → 1008 with a reason', () => {
  it.each<[string, (t: TestTerminal) => void, string, string]>([
    ['binary frame', (t) => t.ws.send(Buffer.from([1, 2, 3])), 'NOT_TEXT', 'Binary frames are not accepted'],
    ['not JSON', (t) => t.ws.send('{"type":"ping",'), 'NOT_JSON', 'Frame is not valid JSON'],
    ['a JSON array', (t) => t.ws.send('[1,2]'), 'INVALID_MESSAGE', 'Message does not match the protocol: expected an object'],
    ['unknown type', (t) => t.sendJson({ type: 'hello', seq: 1, timestamp: 1 }), 'UNKNOWN_TYPE', 'Unknown message type: hello'],
    ['negative seq', (t) => t.sendJson({ type: 'ping', seq: -1, timestamp: 1 }), 'INVALID_MESSAGE', 'Message does not match the protocol: seq'],
    ['order without payload', (t) => t.sendJson({ type: 'order', seq: 1, timestamp: 1 }), 'INVALID_MESSAGE', 'Message does not match the protocol: order'],
  ])('%s', async (_name, send, code, reason) => {
    const { t, conn } = await terminal();
    send(t);
    const closed = await t.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason.startsWith(reason)).toBe(true);
    const error = t.messages.find((m) => m.type === 'error');
    expect(error).toMatchObject({ type: 'error', code });
    await expectRefused(conn, 'invalid', 1008, 'invalid_message');
  });
});

describe('rate limit', () => {
  it('a flood closes 1008 "Rate limit exceeded" after the bucket runs dry', async () => {
    const { t, conn } = await terminal();
    for (let i = 1; i <= 30; i++) t.ping(i);
    const closed = await t.closed;
    expect(closed).toEqual({ code: 1008, reason: 'Rate limit exceeded' });
    const pongs = t.messages.filter((m) => m.type === 'pong');
    // Capacity 10, plus at most a token or two refilled while the burst was read.
    expect(pongs.length).toBeGreaterThanOrEqual(10);
    expect(pongs.length).toBeLessThanOrEqual(12);
    expect(t.messages.at(-1)).toMatchObject({ type: 'error', code: 'RATE_LIMITED' });
    await expectRefused(conn, 'rate', 1008, 'rate_limited');
    expect(metricValue(await gateway.metricsText(), 'pulse_gateway_limit_hits_total', { kind: 'rate' })).toBe(1);
  });

  it('a sender that exceeds the capacity over time, but slowly, is never limited (the bucket refills)', async () => {
    const { t, conn } = await terminal();
    // 20 messages (twice the capacity) at ~16/s: the refill of 10/s keeps the bucket above empty.
    for (let i = 1; i <= 20; i++) {
      t.ping(i);
      await sleep(60);
    }
    await t.next('pong', (m) => m.seq === 20);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    expect(probe.of('limit').find((e) => e.conn === conn)).toBeUndefined();
    t.ws.close();
    await t.closed;
  });
});
