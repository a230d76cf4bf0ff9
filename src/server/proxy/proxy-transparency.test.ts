/**
 * What passes through the proxy arrives as it was sent: frames byte for byte with their text/binary
 * flag, pings and pongs, the subprotocol the upstream chose, the path and query, the headers that
 * matter. Against a plain ws server, and against the reference gateway for a POS ping → pong.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { startGateway } from '../gateway/gateway.ts';
import { connectTerminal } from '../gateway/test-helpers/test-terminal.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { startProxy } from './proxy-server.ts';
import type { Proxy } from './proxy-server.ts';
import { startEchoUpstream } from './test-helpers/echo-upstream.ts';
import type { EchoUpstream } from './test-helpers/echo-upstream.ts';
import { openTerminal, rawUpgrade, RecordingObserver } from './test-helpers/raw-terminal.ts';

/** A client's text frame (masked, as a client must send it). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(o: { select?: (offered: Set<string>) => string | false; upstreamPath?: string } = {}): Promise<{ upstream: EchoUpstream; proxy: Proxy; observer: RecordingObserver }> {
  const upstream = await startEchoUpstream(o.select ? { select: o.select } : {});
  const observer = new RecordingObserver();
  const proxy = await startProxy({ upstream: upstream.url + (o.upstreamPath ?? ''), port: 0, observer });
  cleanup.push(() => upstream.close(), () => proxy.close());
  return { upstream, proxy, observer };
}

describe('proxy transparency', () => {
  it('echoes text, binary, a fragmented message and a 60 KiB frame byte for byte, each keeping its type', async () => {
    const { proxy, upstream, observer } = await setup();
    const t = openTerminal(`${proxy.url}/ws`);
    await t.opened;
    const text = 'héllo ✓ {"type":"ping"} 🍕';
    const bin = randomBytes(1024);
    const big = randomBytes(60 * 1024);
    const pieces = [randomBytes(700), randomBytes(1), randomBytes(5000)];
    t.ws.send(text);
    t.ws.send(bin);
    // A fragmented binary message: three frames, fin on the last.
    t.ws.send(pieces[0]!, { binary: true, fin: false });
    t.ws.send(pieces[1]!, { binary: true, fin: false });
    t.ws.send(pieces[2]!, { binary: true, fin: true });
    t.ws.send(big, { binary: true });
    t.ws.send(Buffer.from('text from bytes'), { binary: false });

    const got = await Promise.all([0, 1, 2, 3, 4].map((n) => t.message(n)));
    expect(got[0]!.isBinary).toBe(false);
    expect(got[0]!.data.toString('utf8')).toBe(text);
    expect(got[1]!.isBinary).toBe(true);
    expect(got[1]!.data.equals(bin)).toBe(true);
    expect(got[2]!.isBinary).toBe(true);
    expect(got[2]!.data.equals(Buffer.concat(pieces))).toBe(true);
    expect(got[3]!.isBinary).toBe(true);
    expect(got[3]!.data.equals(big)).toBe(true);
    expect(got[4]!.isBinary).toBe(false);
    expect(got[4]!.data.toString()).toBe('text from bytes');
    expect(t.received).toHaveLength(5);

    // The observer saw each message both ways, exact.
    const seen = observer.of(0).filter((e) => e.kind === 'message');
    expect(seen.filter((e) => e.dir === 'in').map((e) => e.data.length)).toEqual([Buffer.byteLength(text), 1024, 5701, 60 * 1024, 15]);
    expect(seen.filter((e) => e.dir === 'out')).toHaveLength(5);
    expect(observer.of(0)[0]).toEqual({ kind: 'opened', protocol: '' });
    expect((await upstream.session(0)).url).toBe('/ws');
  });

  it('keeps frames the terminal sent before its 101: with the request, and while the upstream was dialled', async () => {
    const { proxy, upstream } = await setup();
    const socket = connect(proxy.port, '127.0.0.1');
    cleanup.push(async () => void socket.destroy());
    let got = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (got = Buffer.concat([got, chunk])));
    const handshake = `GET /slow HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // One frame in the request's own TCP write (Node hands it over as the upgrade's head)…
    socket.write(Buffer.concat([Buffer.from(handshake), maskedText('with the request')]));
    await waitFor('the upstream is dialled', () => upstream.slowCount() === 1);
    // …and one while the proxy holds the terminal, before the upstream answers.
    socket.write(maskedText('while dialling'));
    await sleep(50); // no event says the proxy has read it; give it the time to
    upstream.releaseSlow();
    // The echoes, unmasked from the server side: 0x81, length, payload.
    for (const text of ['with the request', 'while dialling']) {
      const echo = Buffer.concat([Buffer.from([0x81, text.length]), Buffer.from(text)]);
      await waitFor(`the echo of "${text}"`, () => got.includes(echo));
    }
    expect(got.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  });

  it('forwards WebSocket pings and pongs both ways', async () => {
    const { proxy, upstream } = await setup();
    const t = openTerminal(`${proxy.url}/ws`);
    await t.opened;
    const session = await upstream.session(0);
    // Terminal → upstream: the upstream (ws autoPong) answers, the pong comes back with the payload.
    t.ws.ping(Buffer.from('from-terminal'));
    await waitFor('the pong at the terminal', () => t.pongs.length === 1);
    expect(t.pongs[0]!.toString()).toBe('from-terminal');
    expect(session.pings.map(String)).toEqual(['from-terminal']);
    // Upstream → terminal: the terminal's own answer reaches the upstream.
    const pong = new Promise<Buffer>((resolve) => session.ws.once('pong', resolve));
    session.ws.ping(Buffer.from('from-upstream'));
    expect((await pong).toString()).toBe('from-upstream');
    expect(t.pings.map(String)).toEqual(['from-upstream']);
  });

  it('answers the terminal with the subprotocol the upstream selected, never the bearer token', async () => {
    const { proxy, observer } = await setup({ select: (offered) => (offered.has('pulse.v1') ? 'pulse.v1' : false) });
    const t = openTerminal(`${proxy.url}/ws`, ['pulse.v1', 'bearer.secret-token-abc']);
    await t.opened;
    expect(t.ws.protocol).toBe('pulse.v1');
    const headers = await t.upgradeHeaders;
    expect(headers['sec-websocket-protocol']).toBe('pulse.v1');
    expect(JSON.stringify(headers)).not.toContain('secret-token-abc');
    expect(observer.upgrades[0]).toMatchObject({ token: 'secret-token-abc', via: 'subprotocol', path: '/ws' });
    expect(observer.of(0)[0]).toEqual({ kind: 'opened', protocol: 'pulse.v1' });
  });

  it('answers with no subprotocol when the upstream selected none (a ws client would refuse that; a browser does not)', async () => {
    const { proxy, upstream, observer } = await setup();
    // A raw upgrade, as a browser sends it: the 101 must carry no protocol at all.
    const res = await rawUpgrade(proxy.port, '/ws?token=query-secret-1', 'pulse.v1, bearer.secret-token-xyz');
    expect(res.status).toBe(101);
    expect(res.headers['sec-websocket-protocol']).toBeUndefined();
    expect(JSON.stringify(res.headers)).not.toContain('secret-token');
    // The upstream was offered both, as the terminal offered them; the subprotocol token wins over the query.
    const offered = String((await upstream.session(0)).headers['sec-websocket-protocol']).split(',').map((p) => p.trim());
    expect(offered).toEqual(['pulse.v1', 'bearer.secret-token-xyz']);
    expect(observer.upgrades[0]).toMatchObject({ token: 'secret-token-xyz', via: 'subprotocol' });
    await waitFor('the observer hears the open', () => observer.of(0).length > 0);
    expect(observer.of(0)[0]).toEqual({ kind: 'opened', protocol: '' });
  });

  it('keeps path and query with a bare upstream; maps every path to the upstream path, keeping the query, otherwise', async () => {
    const bare = await setup();
    const a = openTerminal(`${bare.proxy.url}/some/where?token=abc&x=1`);
    await a.opened;
    expect((await bare.upstream.session(0)).url).toBe('/some/where?token=abc&x=1');
    expect(bare.observer.upgrades[0]).toMatchObject({ path: '/some/where', token: 'abc', via: 'query' });

    const pathed = await setup({ upstreamPath: '/ws' });
    const b = openTerminal(`${pathed.proxy.url}/anything?token=def`);
    const c = openTerminal(`${pathed.proxy.url}/`);
    await Promise.all([b.opened, c.opened]);
    const urls = await Promise.all([pathed.upstream.session(0), pathed.upstream.session(1)]);
    expect(urls.map((s) => s.url).sort()).toEqual(['/ws', '/ws?token=def']);
    expect(pathed.observer.upgrades.find((u) => u.path === '/')).toMatchObject({ token: undefined, via: 'none' });
  });

  it('forwards the end-to-end headers, appends x-forwarded-for, drops hop-by-hop and handshake headers', async () => {
    const { proxy, upstream } = await setup();
    const t = openTerminal(`${proxy.url}/ws`, [], {
      headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'user-agent': 'till/3.1', 'x-till': 'till-1', 'x-forwarded-for': '10.1.2.3', 'keep-alive': 'timeout=5' },
      origin: 'https://pos.example',
    });
    await t.opened;
    const h = (await upstream.session(0)).headers;
    expect(h).toMatchObject({ authorization: 'Bearer abc', cookie: 'sid=1', 'user-agent': 'till/3.1', 'x-till': 'till-1', origin: 'https://pos.example', 'x-forwarded-for': '10.1.2.3, 127.0.0.1' });
    expect(h['keep-alive']).toBeUndefined();
    expect(h.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(h['sec-websocket-extensions']).toBeUndefined();
  });

  it('carries a POS session to the reference gateway: welcome, ping → pong, by subprotocol and by query', async () => {
    const secret = 'proxy-test-secret-0123456789-abcdef';
    const gateway = await startGateway({ secret, port: 0 });
    const proxy = await startProxy({ upstream: gateway.url, port: 0 });
    cleanup.push(() => gateway.close(), () => proxy.close());
    const byProtocol = connectTerminal(`${proxy.url}/ws`, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    const byQuery = connectTerminal(`${proxy.url}/ws`, { kind: 'query', token: signTerminalToken(secret, 'r-001-t2', 'r-001', 60) });
    for (const t of [byProtocol, byQuery]) {
      // The welcome is sent with the 101: the proxy must not lose it while answering the terminal.
      await t.next('welcome');
      t.ping(1, 3);
      expect((await t.next('pong')).type).toBe('pong');
    }
    expect(byProtocol.ws.protocol).toBe('pulse.v1');
    expect(byQuery.ws.protocol).toBe('');
    await waitFor('the gateway holds both', () => gateway.connectionCount() === 2);
    expect(proxy.connectionCount()).toBe(2);
  });
});
