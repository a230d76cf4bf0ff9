/**
 * The handshake on real sockets: every way a token can be wrong ends in 4001 "Invalid token" with
 * nothing processed, the good ones get a welcome and their first ping answered, and the token
 * never comes back in a response header.
 */
import { request } from 'node:http';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import type { AuthFailReason } from '../../protocol/probe-events.ts';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';
import { startGateway } from './gateway.ts';
import type { Gateway } from './gateway.ts';
import { RecordingProbe, connectTerminal, metricValue, sleep } from './test-helpers/test-terminal.ts';
import type { Auth } from './test-helpers/test-terminal.ts';

const secret = 'test-secret-0123456789-abcdef';
const good = () => signTerminalToken(secret, 'r-001-t1', 'r-001', 60);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const future = () => Math.floor(Date.now() / 1000) + 60;

let gateway: Gateway;
let probe: RecordingProbe;

beforeAll(async () => {
  probe = new RecordingProbe();
  gateway = await startGateway({ secret, port: 0, probe, heartbeatIntervalMs: 1000, heartbeatGraceMs: 500 });
});
afterAll(() => gateway.close());

describe('valid tokens', () => {
  it.each<[string, () => Auth]>([
    ['subprotocol', () => ({ kind: 'subprotocol', token: good() })],
    ['query (legacy)', () => ({ kind: 'query', token: good() })],
  ])('by %s: welcome, then a ping sent in the same tick as open is answered', async (via, auth) => {
    const t = connectTerminal(gateway.url, auth(), { onOpen: (self) => self.ping(7, 12) });
    const welcome = await t.next('welcome');
    expect(welcome).toMatchObject({ terminalId: 'r-001-t1', restaurantId: 'r-001', gatewayId: gateway.id, heartbeatIntervalMs: 1000 });
    const pong = await t.next('pong');
    expect(pong.seq).toBe(7);
    expect(t.messages[0]?.type).toBe('welcome');
    const open = await probe.waitFor('open', (e) => e.via === (via === 'subprotocol' ? 'subprotocol' : 'query'));
    expect(open).toMatchObject({ rid: 'r-001', tid: 'r-001-t1', gw: gateway.id });
    const hb = await probe.waitFor('heartbeat', (e) => e.conn === open.conn);
    expect(hb).toMatchObject({ onTime: true, rtt: 12 });
    t.ws.close(1000);
    await t.closed;
  });
});

describe('invalid tokens → 4001 "Invalid token", nothing processed', () => {
  const cases: [string, () => Auth, AuthFailReason | null][] = [
    ['missing', () => ({ kind: 'none' }), 'missing'],
    ['empty bearer', () => ({ kind: 'subprotocol', token: '' }), 'missing'],
    ['malformed', () => ({ kind: 'subprotocol', token: 'not-a-jwt' }), 'malformed'],
    ['malformed via query', () => ({ kind: 'query', token: 'a.b.c' }), 'malformed'],
    ['expired', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001', exp: Math.floor(Date.now() / 1000) - 10 }, secret, { algorithm: 'HS256', subject: 'r-001-t1' }) }), 'expired'],
    ['wrong signature', () => ({ kind: 'subprotocol', token: signTerminalToken('another-secret-0123456789', 'r-001-t1', 'r-001') }), 'bad_signature'],
    // alg none: no signature at all; which reason jsonwebtoken reports is its business, the refusal is ours.
    ['alg none', () => ({ kind: 'subprotocol', token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'r-001-t1', rid: 'r-001', exp: future() })}.` }), null],
    ['wrong algorithm (HS512, right secret)', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001' }, secret, { algorithm: 'HS512', subject: 'r-001-t1', expiresIn: 60 }) }), 'bad_algorithm'],
    ['no exp claim', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001' }, secret, { algorithm: 'HS256', subject: 'r-001-t1' }) }), 'bad_claims'],
    ['no rid claim', () => ({ kind: 'query', token: jwt.sign({}, secret, { algorithm: 'HS256', subject: 'r-001-t1', expiresIn: 60 }) }), 'bad_claims'],
    // Issue 18, item 6: what a gateway checks of a terminal token's claims.
    ['a viewer token, even with a rid', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001', role: 'support' }, secret, { algorithm: 'HS256', subject: 'sam', expiresIn: 60 }) }), 'bad_claims'],
    ['a gateway (probe) token with a rid', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001', role: 'gateway' }, secret, { algorithm: 'HS256', subject: 'gw-1', expiresIn: 60 }) }), 'bad_claims'],
    ['an empty sub', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001', sub: '' }, secret, { algorithm: 'HS256', expiresIn: 60 }) }), 'bad_claims'],
    ['an empty rid', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: '' }, secret, { algorithm: 'HS256', subject: 'r-001-t1', expiresIn: 60 }) }), 'bad_claims'],
    ['a rid over 64 characters', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r'.repeat(65) }, secret, { algorithm: 'HS256', subject: 'r-001-t1', expiresIn: 60 }) }), 'bad_claims'],
    ['a numeric sub', () => ({ kind: 'subprotocol', token: jwt.sign({ rid: 'r-001', sub: 7 }, secret, { algorithm: 'HS256', expiresIn: 60 }) }), 'bad_claims'],
  ];

  it.each(cases)('%s', async (_name, auth, reason) => {
    const before = probe.of('auth_fail').length;
    const opensBefore = probe.of('open').length;
    const t = connectTerminal(gateway.url, auth(), {
      onOpen: (self) => {
        self.ping(1);
        self.sendJson({ type: 'order', seq: 2, timestamp: Date.now(), order: { id: 'o1', status: 'open' } });
      },
    });
    const closed = await t.closed;
    expect(closed).toEqual({ code: 4001, reason: 'Invalid token' });
    expect(t.messages).toEqual([]);
    expect(t.undecodable).toEqual([]);
    const fails = probe.of('auth_fail').slice(before);
    expect(fails).toHaveLength(1);
    if (reason) expect(fails[0]!.reason).toBe(reason);
    expect(probe.of('open').length).toBe(opensBefore);
    expect(probe.of('heartbeat').filter((e) => e.t >= fails[0]!.t)).toEqual([]);
  });

  it('refused connections never enter the connections gauge', async () => {
    await sleep(50);
    expect(gateway.connectionCount()).toBe(0);
    const text = await gateway.metricsText();
    for (const line of text.split('\n').filter((l) => l.startsWith('pulse_gateway_connections{'))) {
      expect(Number(line.split(' ').pop())).toBe(0);
    }
    expect(metricValue(text, 'pulse_gateway_auth_failures_total', { reason: 'malformed' })).toBeGreaterThanOrEqual(2);
  });
});

describe('terminal identity is per restaurant (issue 18, item 6)', () => {
  it('sub r-002-t9 with rid r-001 is terminal "r-002-t9" of r-001: the spelling of sub is not interpreted', async () => {
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-002-t9', 'r-001', 60) });
    expect(await t.next('welcome')).toMatchObject({ terminalId: 'r-002-t9', restaurantId: 'r-001' });
    expect(await probe.waitFor('open', (e) => e.tid === 'r-002-t9')).toMatchObject({ rid: 'r-001' });
    t.ws.close(1000);
    await t.closed;
  });
});

describe('the token is never echoed', () => {
  it('selects pulse.v1 when offered next to the bearer token', async () => {
    const token = good();
    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token });
    const headers = await t.upgradeHeaders;
    expect(headers['sec-websocket-protocol']).toBe(posSubprotocol);
    expect(JSON.stringify(headers)).not.toContain(token);
    await t.opened;
    expect(t.ws.protocol).toBe(posSubprotocol);
    t.ws.close();
    await t.closed;
  });

  it('answers with no subprotocol (and no compression) when only the bearer token is offered (raw handshake)', async () => {
    const token = good();
    const raw = await new Promise<{ status: number; headers: string }>((resolve, reject) => {
      const req = request(gateway.url.replace('ws:', 'http:'), {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
          'Sec-WebSocket-Protocol': bearerPrefix + token,
          // Offered, and must be declined: permessage-deflate fragments memory (nodejs/node#8871, ws#1202).
          'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
        },
      });
      req.on('upgrade', (res, socket) => {
        resolve({ status: res.statusCode ?? 0, headers: res.rawHeaders.join('\n') });
        socket.destroy();
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(raw.status).toBe(101);
    expect(raw.headers).not.toContain(token);
    expect(raw.headers.toLowerCase()).not.toContain('sec-websocket-protocol');
    expect(raw.headers.toLowerCase()).not.toContain('sec-websocket-extensions');
  });
});
