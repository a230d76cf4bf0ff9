/**
 * Every number a terminal sends (issue 18, item 1), on a real gateway: a figure a clock bug can make
 * implausible (rtt) is dropped and counted and the terminal stays connected; a number a correct
 * terminal never sends (a seq or timestamp that is not a safe non-negative integer) is an invalid
 * message (1008). Fuzz-style but bounded: 200 values on one connection, then 8 refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
import { startGateway, type Gateway } from './gateway.ts';
import { RecordingProbe, connectTerminal, metricValue } from './test-helpers/test-terminal.ts';

const secret = 'numbers-secret-0123456789abcdef';
const intervalMs = 1000;
let gateway: Gateway;
let probe: RecordingProbe;

beforeAll(async () => {
  probe = new RecordingProbe();
  // A generous rate limit: 200 pings in a burst are the point here, not the limit.
  gateway = await startGateway({ secret, port: 0, probe, heartbeatIntervalMs: intervalMs, heartbeatGraceMs: 500, rateLimit: { capacity: 1000, refillPerSec: 1000 } });
});
afterAll(() => gateway.close());

/** Deterministic values around and beyond the bounds: negative, tiny, huge, fractional. */
function rttValues(n: number): number[] {
  const edges = [-1e308, -1, -0.001, 0, 0.5, intervalMs, intervalMs + 0.001, 1e9, 1e308, Number.MAX_SAFE_INTEGER];
  let x = 7;
  return Array.from({ length: n }, (_, i) => {
    if (i < edges.length) return edges[i]!;
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return ((x / 2 ** 31) * 4 - 1) * 10 ** (x % 12); // −10^k … 3·10^k
  });
}

describe('numbers a terminal sends', () => {
  it('rtt: kept within 0 … the interval, otherwise dropped and counted; every ping answered, the terminal stays', async () => {
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await t.next('welcome');
    const open = await probe.waitFor('open', (e) => e.rid === 'r-001');
    const values = rttValues(200);
    values.forEach((rtt, i) => t.sendJson({ type: 'ping', seq: i + 1, timestamp: Date.now(), rtt }));
    await t.next('pong', (m) => m.seq === values.length, 5000);
    const beats = probe.of('heartbeat').filter((e): e is ProbeEventOf<'heartbeat'> => e.conn === open.conn);
    expect(beats).toHaveLength(values.length);
    const plausible = values.filter((v) => v >= 0 && v <= intervalMs);
    expect(beats.flatMap((b) => (b.rtt === undefined ? [] : [b.rtt]))).toEqual(plausible);
    // The dropped ones are told to the hub as such, for the terminal's diagnosis.
    expect(beats.flatMap((b) => (b.implausibleRtt === undefined ? [] : [b.implausibleRtt]))).toEqual(values.filter((v) => !(v >= 0 && v <= intervalMs)));
    expect(metricValue(await gateway.metricsText(), 'pulse_gateway_implausible_rtt_total')).toBe(values.length - plausible.length);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    t.ws.close(1000);
    await t.closed;
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative seq', { type: 'ping', seq: -1, timestamp: 1 }],
    ['a fractional seq', { type: 'ping', seq: 1.5, timestamp: 1 }],
    ['a seq beyond 2^53', { type: 'ping', seq: 1e308, timestamp: 1 }],
    ['a negative timestamp', { type: 'ping', seq: 1, timestamp: -5 }],
    ['a timestamp beyond 2^53', { type: 'ack', seq: 1, timestamp: 2 ** 60 }],
    ['a string rtt', { type: 'ping', seq: 1, timestamp: 1, rtt: '12' }],
    ['an order of 1e300 items', { type: 'order', seq: 1, timestamp: 1, order: { id: 'o', status: 'open', items: [{ name: 'x', qty: 1e300 }] } }],
    ['an order total beyond 2^53', { type: 'order', seq: 1, timestamp: 1, order: { id: 'o', status: 'open', totalCents: 2 ** 60 } }],
  ])('%s is an invalid message: 1008', async (_name, frame) => {
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-002-t1', 'r-002', 60) });
    await t.next('welcome');
    t.sendJson(frame);
    expect((await t.closed).code).toBe(1008);
    expect(t.messages.at(-1)).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
  });
});
