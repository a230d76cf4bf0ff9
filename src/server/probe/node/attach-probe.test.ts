/**
 * attachProbe on a real `ws` server and real client sockets, the hub replaced by a transport that
 * takes every batch: what the probe reports for each thing a POS connection does, in both orders
 * of registration, and that it never changes what the gateway does.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawEvent } from '../../../protocol/ingest.ts';
import type { IngestTransport } from '../ingest-client.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { attachProbe, type AttachedProbe, type AttachProbeOptions } from './index.ts';

const nullTransport = (): IngestTransport => ({ send: () => true, connected: () => false, start: () => {}, close: async () => {} });
const identify = (req: IncomingMessage) => {
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  if (token?.startsWith('ok:')) return { rid: 'r-1', tid: token.slice(3) };
  return token ? { refused: 'bad_signature' as const, rid: 'r-1', tid: 'till-9' } : null;
};

type Setup = { wss: WebSocketServer; url: string; events: RawEvent[]; probe: AttachedProbe; serverCloses: number[] };
const open: { close(): unknown }[] = [];

/** A gateway in the POS shape; the probe attached `when` relative to its handler. */
async function setup(when: 'after' | 'before', extra: Partial<AttachProbeOptions> = {}, maxPayload = 64 * 1024): Promise<Setup> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload });
  await new Promise((r) => wss.once('listening', r));
  const events: RawEvent[] = [];
  const serverCloses: number[] = [];
  const attach = () => attachProbe(wss, { identify, hub: 'http://127.0.0.1:1', token: 't', gateway: 'gw-test', transport: nullTransport(), tap: (e) => events.push(e), ...extra });
  let probe = when === 'before' ? attach() : null;
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    ws.on('close', (code) => serverCloses.push(code));
    const who = identify(req);
    if (who === null || 'refused' in who) return ws.close(4001, 'Invalid token');
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; seq?: number };
      if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', seq: m.seq, timestamp: Date.now() }));
      if (m.type === 'order') ws.send(JSON.stringify({ type: 'order', seq: 7, order: {} }));
      if (m.type === 'timeout') {
        ws.close(4008, 'Heartbeat timeout');
        ws.terminate();
      }
    });
  });
  probe ??= attach();
  const p = probe;
  open.push({ close: () => p.close() }, { close: () => new Promise((r) => wss.close(r)) });
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, events, probe, serverCloses };
}

async function client(url: string): Promise<{ ws: WebSocket; got: string[]; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(url);
  const got: string[] = [];
  ws.on('message', (d) => got.push(String(d)));
  const closed = new Promise<[number, string]>((r) => ws.on('close', (c, reason) => r([c, String(reason)])));
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  open.push({ close: () => ws.terminate() });
  return { ws, got, closed };
}

afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

const types = (events: RawEvent[]) => events.map((e) => e.type).filter((t) => t !== 'traffic');

describe.each(['after', 'before'] as const)('attachProbe, attached %s the gateway\'s handler', (when) => {
  it('open, ping with rtt, pong, order → ack latency, a terminal close, traffic', async () => {
    const { url, events, probe } = await setup(when);
    const { ws, got, closed } = await client(`${url}/ws?token=ok:till-1`);
    ws.send(JSON.stringify({ type: 'ping', seq: 1, rtt: 42.5 }));
    ws.send(JSON.stringify({ type: 'order', seq: 1 }));
    await waitFor('pong and order', () => got.length === 2);
    ws.send(JSON.stringify({ type: 'ack', seq: 7 }));
    ws.send(JSON.stringify({ type: 'ping', seq: 2, rtt: 1e9 }));
    await waitFor('second pong', () => got.length === 3);
    ws.close(1000, 'bye');
    await closed;
    await waitFor('close reported', () => events.some((e) => e.type === 'close'));
    expect(types(events)).toEqual(['open', 'ping', 'pong', 'ack', 'ping', 'pong', 'close']);
    expect(events[0]).toMatchObject({ type: 'open', rid: 'r-1', tid: 'till-1', via: 'query', verified: true });
    expect(events[1]).toMatchObject({ type: 'ping', rtt: 42.5 });
    expect(events.find((e) => e.type === 'ack')).toMatchObject({ seq: 7, latency: expect.any(Number) });
    expect(events.filter((e) => e.type === 'ping')[1]).not.toHaveProperty('rtt');
    expect(events.filter((e) => e.type === 'ping')[1]).toMatchObject({ implausibleRtt: 1e9 }); // the hub counts it against the terminal
    expect(events.at(-1)).toMatchObject({ type: 'close', code: 1000, reason: 'bye', by: 'terminal' });
    const traffic = events.filter((e) => e.type === 'traffic');
    expect(traffic.reduce((n, e) => n + (e.type === 'traffic' ? (e.msgIn ?? 0) : 0), 0)).toBe(4);
    expect(traffic.reduce((n, e) => n + (e.type === 'traffic' ? (e.msgOut ?? 0) : 0), 0)).toBe(3);
    expect(probe.stats()).toMatchObject({ connections: 0, implausibleRtt: 1, observerErrors: 0 });
  });

  it('a heartbeat timeout reads as the gateway\'s 4008, not the 1006 ws reports after terminate()', async () => {
    const { url, events, serverCloses } = await setup(when);
    const { ws, closed } = await client(`${url}/ws?token=ok:till-2`);
    ws.send(JSON.stringify({ type: 'timeout' }));
    await closed;
    await waitFor('close reported', () => events.some((e) => e.type === 'close'));
    expect(serverCloses).toEqual([1006]);
    expect(events.at(-1)).toMatchObject({ type: 'close', code: 4008, reason: 'Heartbeat timeout', by: 'gateway' });
  });

  it('a refused token (accept, then 4001) is an auth_fail labelled with its claims, never an open', async () => {
    const { url, events, probe } = await setup(when);
    const { closed } = await client(`${url}/ws?token=forged`);
    expect(await closed).toEqual([4001, 'Invalid token']);
    await waitFor('auth_fail', () => events.length > 0);
    expect(events).toEqual([{ type: 'auth_fail', t: expect.any(Number), conn: expect.any(String), reason: 'bad_signature', claimedRid: 'r-1', claimedTid: 'till-9' }]);
    const anon = await client(`${url}/ws`);
    await anon.closed;
    await waitFor('second auth_fail', () => events.length === 2);
    expect(events[1]).toMatchObject({ type: 'auth_fail', reason: 'refused' });
    expect(events[1]).not.toHaveProperty('rid');
    expect(probe.stats().connections).toBe(0);
  });
});

describe('attachProbe never changes the gateway', () => {
  it('a frame over maxPayload: ws closes 1009, reported as a size limit by the gateway', async () => {
    const { url, events } = await setup('after', {}, 1024);
    const { ws, closed } = await client(`${url}/ws?token=ok:till-3`);
    ws.send('x'.repeat(2048));
    expect((await closed)[0]).toBe(1009);
    await waitFor('close reported', () => events.some((e) => e.type === 'close'));
    expect(types(events)).toEqual(['open', 'limit', 'close']);
    expect(events.at(-1)).toMatchObject({ code: 1009, by: 'gateway' });
    expect(events.at(-2)).toMatchObject({ kind: 'size' });
  });

  it('an observer that throws is counted, and the gateway answers as before', async () => {
    const { url, probe } = await setup('after', { isPing: () => { throw new Error('probe bug'); }, isPong: () => { throw new Error('probe bug'); } });
    const { ws, got } = await client(`${url}/ws?token=ok:till-4`);
    for (let i = 1; i <= 3; i++) ws.send(JSON.stringify({ type: 'ping', seq: i }));
    await waitFor('three pongs', () => got.length === 3);
    expect(got.map((g) => (JSON.parse(g) as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(probe.stats().observerErrors).toBe(6);
  });

  it('send, close and terminate are the originals again after close(); send returns what it returned', async () => {
    const { wss, url, probe } = await setup('after');
    await client(`${url}/ws?token=ok:till-5`);
    await waitFor('connected', () => wss.clients.size === 1);
    const [ws] = [...wss.clients] as [WebSocket];
    expect(Object.prototype.hasOwnProperty.call(ws, 'send')).toBe(true);
    let sent = false;
    expect(ws.send('{"type":"hello"}', () => (sent = true))).toBeUndefined(); // what ws.send returns, its callback kept
    await waitFor('send callback', () => sent);
    await probe.close();
    for (const m of ['send', 'close', 'terminate']) expect(Object.prototype.hasOwnProperty.call(ws, m), m).toBe(false);
  });
});

describe('attachProbe and the hub link', () => {
  it('re-announces (resumed) only connections whose open the hub took: a resumed ahead of its open would lose the open', async () => {
    const batches: { seq: number; events: RawEvent[] }[] = [];
    let handlers: Parameters<IngestTransport['start']>[0] | null = null;
    const transport: IngestTransport = {
      send: (text) => (batches.push(JSON.parse(text) as { seq: number; events: RawEvent[] }), true),
      connected: () => false, // so that close() does not wait for answers this hub never gives
      start: (h) => (handlers = h),
      close: async () => {},
    };
    const { url } = await setup('after', { transport });
    await client(`${url}/ws?token=ok:till-6`);
    handlers!.ready(); // the hub link comes up while the open (most likely) still waits in the buffer
    await waitFor('the open batched', () => batches.some((b) => b.events.some((e) => e.type === 'open' && !e.resumed)), 3000);
    const opens = batches.flatMap((b) => b.events).filter((e) => e.type === 'open');
    expect(opens).toEqual([expect.objectContaining({ tid: 'till-6' })]);
    expect(opens[0]).not.toHaveProperty('resumed');
    handlers!.ready(); // a reconnect, the open unanswered: it is resent as itself, never resumed ahead of it
    expect(batches.flatMap((b) => b.events).filter((e) => e.type === 'open' && e.resumed)).toEqual([]);
    for (const b of batches) handlers!.answer({ type: 'ack', seq: b.seq, accepted: b.events.length, refused: [] });
    handlers!.ready(); // a reconnect once the hub has taken it: now it is re-announced
    expect(batches.at(-1)!.events).toEqual([expect.objectContaining({ type: 'open', tid: 'till-6', resumed: true })]);
  });
});
