/**
 * A probe never hurts its gateway (DESIGN.md, "Ways in"; docs/telemetry.md): the same scripted
 * terminals against the example Node `ws` gateway get the same frames and the same close codes
 * with the probe attached as without it; and with no hub listening, the gateway keeps serving
 * while the probe's bounded buffer drops the oldest events and counts every one of them.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RawEvent } from '../../../protocol/ingest.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { startExampleGateway, type ExampleGateway } from './test-helpers/node-ws-gateway.ts';

const secret = 'transparency-secret-0123456789';
const token = (tid: string, rid = 'r-1', key = secret) => jwt.sign({ sub: tid, rid }, key, { algorithm: 'HS256', expiresIn: 600 });
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A port nothing listens on: the hub is down. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

type Seen = { frames: string[]; close: [number, string] };

/** One scripted terminal: connect, run `script`, and record every frame (timestamps blanked) and the close. */
async function terminal(gw: ExampleGateway, tok: string | null, script: (ws: WebSocket, frames: string[]) => Promise<void>): Promise<Seen> {
  const ws = new WebSocket(tok === null ? gw.url : `${gw.url}?token=${tok}`);
  const frames: string[] = [];
  ws.on('message', (d) => frames.push(String(d).replace(/"timestamp":\d+/, '"timestamp":0')));
  const closed = new Promise<[number, string]>((r) => ws.on('close', (c, reason) => r([c, String(reason)])));
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  await script(ws, frames);
  return { frames, close: await closed };
}

async function scripted(gw: ExampleGateway): Promise<Record<string, Seen>> {
  const send = (ws: WebSocket, m: object) => ws.send(JSON.stringify(m));
  const out: Record<string, Seen> = {};
  out.pos = await terminal(gw, token('till-1'), async (ws, frames) => {
    send(ws, { type: 'ping', seq: 1, rtt: 12 });
    await waitFor('pong', () => frames.length === 1);
    send(ws, { type: 'order', seq: 1, order: { id: 'o-1', items: 2 } });
    await waitFor('order', () => frames.length === 2);
    send(ws, { type: 'ack', seq: 1 });
    send(ws, { type: 'ping', seq: 2, rtt: 1e12 });
    await waitFor('second pong', () => frames.length === 3);
    ws.send('{not json');
  });
  out.bye = await terminal(gw, token('till-2'), async (ws, frames) => {
    send(ws, { type: 'ping', seq: 1 });
    await waitFor('pong', () => frames.length === 1);
    ws.close(1000, 'shift over');
  });
  out.oversize = await terminal(gw, token('till-3'), async (ws) => ws.send('x'.repeat(70 * 1024)));
  out.forged = await terminal(gw, token('till-4', 'r-1', 'not-the-secret'), async () => {});
  out.anonymous = await terminal(gw, null, async () => {});
  out.silent = await terminal(gw, token('till-5'), async () => {});
  return out;
}

describe('the example gateway with and without the probe', () => {
  it('the same frames, byte for byte (timestamps aside), and the same close codes and reasons', async () => {
    const plain = await startExampleGateway({ secret, heartbeatIntervalMs: 100, heartbeatGraceMs: 50 });
    stops.push(() => plain.stop());
    const events: RawEvent[] = [];
    const probed = await startExampleGateway({ secret, heartbeatIntervalMs: 100, heartbeatGraceMs: 50, probe: { hub: `http://127.0.0.1:${await deadPort()}`, token: 'gw-token', gateway: 'gw-t', tap: (e) => events.push(e) } });
    stops.push(() => probed.stop());

    const without = await scripted(plain);
    const withProbe = await scripted(probed);
    expect(withProbe).toEqual(without);
    expect(Object.fromEntries(Object.entries(without).map(([k, v]) => [k, v.close[0]]))).toEqual({ pos: 1008, bye: 1000, oversize: 1009, forged: 4001, anonymous: 4001, silent: 4008 });
    expect(without.pos!.frames).toEqual(['{"type":"pong","seq":1,"timestamp":0}', expect.stringContaining('"type":"order","seq":1'), '{"type":"pong","seq":2,"timestamp":0}']);

    // And the probe saw what happened, by its own reading of the gateway's verdicts.
    await waitFor('every close reported', () => events.filter((e) => e.type === 'close' || e.type === 'auth_fail').length === 6);
    const ends = events.flatMap((e) => (e.type === 'close' ? [`close ${e.code} ${e.by}`] : e.type === 'auth_fail' ? [`auth_fail ${e.reason}`] : e.type === 'limit' ? [`limit ${e.kind}`] : []));
    expect(ends).toEqual(['limit invalid', 'close 1008 gateway', 'close 1000 terminal', 'limit size', 'close 1009 gateway', 'auth_fail bad_signature', 'auth_fail missing', 'close 4008 gateway']);
    expect(events.filter((e) => e.type === 'ping').map((e) => (e.type === 'ping' ? e.rtt : null))).toEqual([12, undefined, undefined]);
    expect(events.find((e) => e.type === 'ack')).toMatchObject({ seq: 1, latency: expect.any(Number) });
    expect(probed.probe!.stats()).toMatchObject({ observerErrors: 0, implausibleRtt: 1, connections: 0 });
  });
});

describe('with the hub down', () => {
  it('the gateway keeps serving, and the probe drops the oldest events once its buffer is full, counting each', async () => {
    const events: RawEvent[] = [];
    const gw = await startExampleGateway({ secret, heartbeatIntervalMs: 5000, heartbeatGraceMs: 1000, probe: { hub: `http://127.0.0.1:${await deadPort()}`, token: 'gw-token', gateway: 'gw-t', maxBufferedEvents: 20, tap: (e) => events.push(e) } });
    stops.push(() => gw.stop());
    const pings = 200;
    const seen = await terminal(gw, token('till-1'), async (ws, frames) => {
      for (let i = 1; i <= pings; i++) ws.send(JSON.stringify({ type: 'ping', seq: i, rtt: 5 }));
      await waitFor('every pong', () => frames.length === pings);
      ws.close(1000);
    });
    expect(seen.frames).toHaveLength(pings);
    expect(seen.close[0]).toBe(1000);
    await waitFor('close reported', () => events.some((e) => e.type === 'close'));

    const s = gw.probe!.stats();
    // Nothing went anywhere: every event is buffered, in a batch awaiting the hub, or dropped and counted.
    expect(s.batchesAcked).toBe(0);
    expect(s.dropped).toBeGreaterThan(pings);
    expect(s.buffered).toBeLessThanOrEqual(20);
    expect(s.dropped + s.buffered + s.eventsSent).toBe(events.length);
  });
});
