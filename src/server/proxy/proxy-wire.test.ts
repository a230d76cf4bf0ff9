/**
 * On the wire, not through a WebSocket library at either end: what the terminal writes after its
 * upgrade is what the upstream reads, byte for byte — fragments stay fragments, a ping between them
 * stays there, masks stay the terminal's — and the same the other way. The upstream's 101 headers
 * that are end to end (each set-cookie, its own x- headers) reach the terminal; hop-by-hop ones do not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test-helpers/wait-for.ts';
import { startProxy } from './proxy-server.ts';

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const accept = (key: string) => createHash('sha1').update(key + guid).digest('base64');

function frame(opcode: number, payload: Buffer, o: { fin?: boolean; mask?: boolean } = {}): Buffer {
  const n = payload.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const head = Buffer.from([((o.fin ?? true) ? 0x80 : 0) | opcode, (o.mask ? 0x80 : 0) | len[0]!, ...len.slice(1)]);
  if (!o.mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/** A socket's bytes, split at the end of its HTTP head. */
function reader(socket: Socket): { head: Promise<string>; readonly body: Buffer } {
  const state = { body: Buffer.alloc(0) };
  let raw = Buffer.alloc(0);
  let gotHead: (head: string) => void = () => {};
  const head = new Promise<string>((resolve) => (gotHead = resolve));
  let inHead = true;
  socket.on('data', (chunk: Buffer) => {
    if (!inHead) {
      state.body = Buffer.concat([state.body, chunk]);
      return;
    }
    raw = Buffer.concat([raw, chunk]);
    const end = raw.indexOf('\r\n\r\n');
    if (end < 0) return;
    inHead = false;
    state.body = raw.subarray(end + 4);
    gotHead(raw.subarray(0, end).toString('latin1'));
  });
  return {
    head,
    get body() {
      return state.body;
    },
  };
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** An upstream that answers the upgrade by hand, with extra headers, and keeps the socket. */
async function rawUpstream(extraHeaders: string[]): Promise<{ server: Server; port: number; socket: Promise<{ socket: Socket; read: ReturnType<typeof reader> }> }> {
  let got: (s: { socket: Socket; read: ReturnType<typeof reader> }) => void = () => {};
  const socket = new Promise<{ socket: Socket; read: ReturnType<typeof reader> }>((resolve) => (got = resolve));
  const server = createServer((s) => {
    const read = reader(s);
    void read.head.then((head) => {
      const key = /^sec-websocket-key: *(.+)$/im.exec(head)![1]!.trim();
      s.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', `Sec-WebSocket-Accept: ${accept(key)}`, ...extraHeaders, '', ''].join('\r\n'));
      got({ socket: s, read });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())), () => void socket.then(({ socket: s }) => s.destroy()));
  return { server, port: (server.address() as AddressInfo).port, socket };
}

describe('proxy on the wire', () => {
  it('relays both ways byte for byte, and passes the upstream\'s end-to-end 101 headers to the terminal', async () => {
    const upstream = await rawUpstream([
      'Connection: Upgrade, X-Hop',
      'Set-Cookie: sid=abc123; HttpOnly; Path=/',
      'Set-Cookie: lang=fr',
      'X-Gateway: gw-eu-1',
      'Keep-Alive: timeout=5',
      'X-Hop: listed in Connection',
    ]);
    const proxy = await startProxy({ upstream: `ws://127.0.0.1:${upstream.port}`, port: 0 });
    cleanup.push(() => proxy.close());

    const terminal = connect(proxy.port, '127.0.0.1');
    cleanup.push(() => void terminal.destroy());
    const read = reader(terminal);
    const key = randomBytes(16).toString('base64');
    terminal.write(`GET /ws?token=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const head = await read.head;
    const lines = head.split('\r\n');
    expect(lines[0]).toMatch(/^HTTP\/1\.1 101 /);
    expect(lines.filter((l) => /^set-cookie:/i.test(l))).toEqual(['Set-Cookie: sid=abc123; HttpOnly; Path=/', 'Set-Cookie: lang=fr']);
    expect(lines).toContain('X-Gateway: gw-eu-1');
    expect(lines.filter((l) => /^sec-websocket-accept:/i.test(l))).toEqual([`Sec-WebSocket-Accept: ${accept(key)}`]);
    expect(head).not.toMatch(/keep-alive|x-hop/i);
    const up = await upstream.socket;

    // Terminal → upstream: a fragmented text message with a ping between its fragments, a 60 KiB frame.
    const fromTerminal = Buffer.concat([
      frame(1, Buffer.from('{"type":"or'), { fin: false, mask: true }),
      frame(9, Buffer.from('between'), { mask: true }),
      frame(0, Buffer.from('der","seq":1}'), { mask: true }),
      frame(2, randomBytes(60 * 1024), { mask: true }),
    ]);
    terminal.write(fromTerminal.subarray(0, 10));
    terminal.write(fromTerminal.subarray(10));
    await waitFor('the upstream has it all', () => up.read.body.length >= fromTerminal.length);
    expect(up.read.body.equals(fromTerminal)).toBe(true);

    // Upstream → terminal: unmasked, as a server sends.
    const fromUpstream = Buffer.concat([frame(2, randomBytes(3), { fin: false }), frame(0, randomBytes(70_000)), frame(10, Buffer.from('pong')), frame(1, Buffer.from('{"type":"pong"}'))]);
    up.socket.write(fromUpstream);
    await waitFor('the terminal has it all', () => read.body.length >= fromUpstream.length);
    expect(read.body.equals(fromUpstream)).toBe(true);

    // A close from the terminal passes as written, and so does the upstream's answer.
    const close = frame(8, Buffer.concat([Buffer.from([0x0f, 0xa8]), Buffer.from('heartbeat')]), { mask: true });
    terminal.write(close);
    await waitFor('the close at the upstream', () => up.read.body.length >= fromTerminal.length + close.length);
    expect(up.read.body.subarray(fromTerminal.length).equals(close)).toBe(true);
    const answer = frame(8, Buffer.from([0x0f, 0xa8]));
    up.socket.end(answer);
    await waitFor('the answer at the terminal', () => read.body.length >= fromUpstream.length + answer.length);
    expect(read.body.subarray(fromUpstream.length).equals(answer)).toBe(true);
    await waitFor('the pair is over', () => proxy.connectionCount() === 0);
  });
});
