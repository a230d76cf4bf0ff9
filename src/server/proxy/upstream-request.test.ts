/** The rules of what the proxy asks the upstream for, without sockets. */
import { describe, expect, it } from 'vitest';
import { forwardedHeaders, localAnswer, offeredProtocols, passedOnResponseHeaders, tokenOfUpgrade, upgradeProblem, upstreamUrlFor } from './upstream-request.ts';
import { acceptFor } from './terminal-handshake.ts';

const upgrade = (over: Record<string, string> = {}, url = '/ws', method = 'GET') => ({
  method,
  url,
  headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', ...over },
});

describe('upstream request', () => {
  it('path rule: a bare upstream takes path and query as they are; a pathed one its own path with the request query', () => {
    expect(upstreamUrlFor(new URL('ws://gw:8000'), '/a/b?token=x&y=2')).toBe('ws://gw:8000/a/b?token=x&y=2');
    expect(upstreamUrlFor(new URL('ws://gw:8000/'), '/')).toBe('ws://gw:8000/');
    expect(upstreamUrlFor(new URL('ws://gw:8000/ws'), '/anything?token=x')).toBe('ws://gw:8000/ws?token=x');
    expect(upstreamUrlFor(new URL('ws://gw:8000/ws'), '/anything')).toBe('ws://gw:8000/ws');
    expect(upstreamUrlFor(new URL('ws://gw:8000/ws?site=1'), '/x')).toBe('ws://gw:8000/ws?site=1');
    expect(upstreamUrlFor(new URL('wss://gw/pos/ws'), '/?token=t')).toBe('wss://gw/pos/ws?token=t');
    // A path that looks like an authority stays a path of the same host.
    expect(new URL(upstreamUrlFor(new URL('ws://gw:8000'), '//evil.example/x')).host).toBe('gw:8000');
  });

  it('forwards end-to-end headers, appends x-forwarded-for, drops hop-by-hop, handshake and host headers', () => {
    const h = forwardedHeaders(
      {
        host: 'proxy:7401',
        connection: 'Upgrade, X-Hop',
        upgrade: 'websocket',
        'keep-alive': 'timeout=5',
        'x-hop': 'only for this hop',
        'sec-websocket-key': 'k',
        'sec-websocket-version': '13',
        'sec-websocket-extensions': 'permessage-deflate',
        'sec-websocket-protocol': 'pulse.v1',
        authorization: 'Bearer t',
        cookie: 'a=1; b=2',
        origin: 'https://pos',
        'user-agent': 'till',
        'x-till': '7',
        'accept-language': 'fr',
        'x-forwarded-for': '10.0.0.1',
      },
      '127.0.0.9',
    );
    expect(h).toEqual({ authorization: 'Bearer t', cookie: 'a=1; b=2', origin: 'https://pos', 'user-agent': 'till', 'x-till': '7', 'accept-language': 'fr', 'x-forwarded-for': '10.0.0.1, 127.0.0.9' });
    expect(forwardedHeaders({}, '::1')).toEqual({ 'x-forwarded-for': '::1' });
  });

  it('parses offered subprotocols, refusing what ws would throw on', () => {
    expect(offeredProtocols(undefined)).toEqual([]);
    expect(offeredProtocols('pulse.v1, bearer.a.b-c_d')).toEqual(['pulse.v1', 'bearer.a.b-c_d']);
    expect(offeredProtocols('a, a')).toBeNull();
    expect(offeredProtocols('a b')).toBeNull();
    expect(offeredProtocols('a,,b')).toBeNull();
  });

  it('refuses what cannot be a handshake before dialling', () => {
    expect(upgradeProblem(upgrade())).toBeNull();
    expect(upgradeProblem(upgrade({}, '/ws', 'POST'))?.status).toBe(405);
    expect(upgradeProblem(upgrade({ upgrade: 'h2c' }))?.status).toBe(400);
    expect(upgradeProblem(upgrade({ 'sec-websocket-key': 'short' }))?.message).toMatch(/Key/);
    expect(upgradeProblem(upgrade({ 'sec-websocket-version': '12' }))?.message).toMatch(/Version/);
    expect(upgradeProblem(upgrade({ 'sec-websocket-protocol': 'a, a' }))?.message).toMatch(/Protocol/);
    expect(upgradeProblem(upgrade({}, 'http://elsewhere/ws'))?.status).toBe(400);
  });

  it('reads the token as the gateway does: the subprotocol wins over the query; none is none', () => {
    expect(tokenOfUpgrade({ url: '/ws?token=q', headers: { 'sec-websocket-protocol': 'pulse.v1, bearer.p' } })).toEqual({ token: 'p', via: 'subprotocol' });
    expect(tokenOfUpgrade({ url: '/ws?token=q', headers: {} })).toEqual({ token: 'q', via: 'query' });
    expect(tokenOfUpgrade({ url: '/ws', headers: { 'sec-websocket-protocol': 'pulse.v1' } })).toEqual({ token: undefined, via: 'none' });
  });

  it('answers a refusal with an offered protocol, never a bearer token', () => {
    expect(localAnswer(new Set(['bearer.t', 'pulse.v1']))).toBe('pulse.v1');
    expect(localAnswer(new Set(['bearer.t']))).toBe(false);
    expect(localAnswer(new Set())).toBe(false);
  });

  it("passes the upstream's end-to-end 101 headers on, each set-cookie as its own, never its handshake or hop-by-hop ones", () => {
    const raw = ['Upgrade', 'websocket', 'Connection', 'Upgrade, X-Hop', 'Sec-WebSocket-Accept', 'abc=', 'Sec-WebSocket-Protocol', 'pulse.v1', 'Sec-WebSocket-Extensions', 'permessage-deflate',
      'Set-Cookie', 'a=1; HttpOnly', 'set-cookie', 'b=2', 'X-Gateway', 'gw-1', 'Keep-Alive', 'timeout=5', 'X-Hop', '1', 'Content-Length', '0', 'Server', 'uvicorn'];
    expect(passedOnResponseHeaders(raw)).toEqual(['Set-Cookie', 'a=1; HttpOnly', 'set-cookie', 'b=2', 'X-Gateway', 'gw-1', 'Server', 'uvicorn']);
    // The terminal's 101 answers its own key (RFC 6455 §1.3's example).
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});
