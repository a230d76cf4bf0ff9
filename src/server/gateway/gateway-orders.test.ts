/**
 * Order updates: broadcast per restaurant with a per-restaurant sequence, never to another
 * restaurant's terminal, and acknowledged acks give the probe a delivery latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import type { OrderUpdateMessage } from '../../protocol/pos-messages.ts';
import { startGateway } from './gateway.ts';
import type { Gateway } from './gateway.ts';
import { RecordingProbe, connectTerminal, sleep } from './test-helpers/test-terminal.ts';
import type { TestTerminal } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';
let gateway: Gateway;
let probe: RecordingProbe;

beforeAll(async () => {
  probe = new RecordingProbe();
  gateway = await startGateway({ secret, port: 0, probe, rateLimit: { capacity: 200, refillPerSec: 200 } });
});
afterAll(() => gateway.close());

async function terminal(rid: string, tid: string): Promise<TestTerminal> {
  const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, tid, rid, 60) });
  await t.next('welcome');
  return t;
}
const orders = (t: TestTerminal) => t.messages.filter((m): m is OrderUpdateMessage => m.type === 'order');

describe('order updates', () => {
  it('reach every terminal of the restaurant, in per-restaurant sequence, and no other restaurant', async () => {
    const a1 = await terminal('r-001', 'r-001-t1');
    const a2 = await terminal('r-001', 'r-001-t2');
    const b1 = await terminal('r-002', 'r-002-t1');
    const c1 = await terminal('r-003', 'r-003-t1');

    // A terminal submits an order: its whole restaurant (itself included) gets it as seq 1.
    a1.sendJson({ type: 'order', seq: 1, timestamp: Date.now(), order: { id: 'o-1', status: 'open', table: '4' } });
    for (const t of [a1, a2]) {
      const update = await t.next('order');
      expect(update).toMatchObject({ seq: 1, restaurantId: 'r-001', order: { id: 'o-1', status: 'open', table: '4' } });
    }
    // The other restaurants keep their own count.
    expect(gateway.broadcastOrder('r-002', { id: 'o-b', status: 'sent' })).toBe(1);
    expect(gateway.broadcastOrder('r-001', { id: 'o-2', status: 'ready' })).toBe(2);
    // Interleave many updates across the three restaurants, from both sides.
    for (let i = 0; i < 30; i++) {
      const rid = ['r-001', 'r-002', 'r-003'][i % 3]!;
      if (i % 2 === 0) gateway.broadcastOrder(rid, { id: `o-${i}`, status: 'paid' });
      else ({ 'r-001': a2, 'r-002': b1, 'r-003': c1 })[rid]!.sendJson({ type: 'order', seq: i, timestamp: Date.now(), order: { id: `o-${i}`, status: 'void' } });
    }
    const expected = { 'r-001': 12, 'r-002': 11, 'r-003': 10 };
    await Promise.all([a1.next('order', (m) => m.seq === 12), a2.next('order', (m) => m.seq === 12), b1.next('order', (m) => m.seq === 11), c1.next('order', (m) => m.seq === 10)]);
    await sleep(50); // room for a stray frame to arrive, if one were coming

    for (const [t, rid] of [[a1, 'r-001'], [a2, 'r-001'], [b1, 'r-002'], [c1, 'r-003']] as const) {
      const got = orders(t);
      expect(got.every((m) => m.restaurantId === rid)).toBe(true);
      expect(got.map((m) => m.seq)).toEqual(Array.from({ length: expected[rid] }, (_, i) => i + 1));
    }
    for (const t of [a1, a2, b1, c1]) t.ws.close();
    await Promise.all([a1.closed, a2.closed, b1.closed, c1.closed]);
  });

  it('an ack gives the probe the delivery latency; an ack for nothing is ignored', async () => {
    const t = await terminal('r-004', 'r-004-t1');
    const seq = gateway.broadcastOrder('r-004', { id: 'o-x', status: 'open' });
    const update = await t.next('order');
    expect(update.seq).toBe(seq);
    await sleep(30);
    t.sendJson({ type: 'ack', seq, timestamp: Date.now() });
    const ack = await probe.waitFor('ack', (e) => e.tid === 'r-004-t1');
    expect(ack).toMatchObject({ rid: 'r-004', seq });
    expect(ack.latencyMs).toBeGreaterThanOrEqual(25);
    expect(ack.latencyMs).toBeLessThan(2000);

    t.sendJson({ type: 'ack', seq, timestamp: Date.now() }); // a duplicate
    t.sendJson({ type: 'ack', seq: 999, timestamp: Date.now() }); // never sent
    t.ping(1);
    await t.next('pong');
    expect(probe.of('ack').filter((e) => e.tid === 'r-004-t1')).toHaveLength(1);
    expect(t.ws.readyState).toBe(t.ws.OPEN);
    t.ws.close();
    await t.closed;
  });
});
