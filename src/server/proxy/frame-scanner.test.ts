/**
 * The scanner reads what the proxy forwards without changing it: the same events however the bytes
 * are split into reads, payloads unmasked only in its own copies, and ws's verdicts for a sender
 * that breaks the protocol, with where the offending frame began.
 */
import { describe, expect, it } from 'vitest';
import { closeFrame, FrameScanner } from './frame-scanner.ts';
import type { FrameEvents } from './frame-scanner.ts';

/** One frame as a peer would write it; `mask` as a client must. */
function frame(opcode: number, payload: Buffer, o: { fin?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const fin = o.fin ?? true;
  const mask = o.mask ?? false;
  const n = payload.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const head = Buffer.from([(fin ? 0x80 : 0) | (o.rsv ?? 0) | opcode, (mask ? 0x80 : 0) | len[0]!, ...len.slice(1)]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

type Event = ['message', number, boolean, string | null] | ['control', number] | ['close', number, string];

function recorder(): FrameEvents & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    message: (bytes, isBinary, payload) => void events.push(['message', bytes, isBinary, payload === null ? null : payload.toString('hex')]),
    control: (opcode) => void events.push(['control', opcode]),
    close: (code, reason) => void events.push(['close', code, reason.toString()]),
  };
}

function scanIn(stream: Buffer, chunkSizes: number[], o: { fromClient: boolean; collect?: boolean; maxPayload?: number }): { events: Event[]; ok: boolean; scanner: FrameScanner } {
  const r = recorder();
  const scanner = new FrameScanner(o.fromClient, o.maxPayload ?? 1 << 20, o.collect ?? true, r);
  let at = 0;
  let ok = true;
  for (let i = 0; at < stream.length && ok; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    ok = scanner.scan(stream.subarray(at, at + size));
    at += size;
  }
  return { events: r.events, ok, scanner };
}

const text = Buffer.from('{"type":"ping","seq":7} ✓');
const big = Buffer.alloc(70_000, 0xab);
const mid = Buffer.alloc(300, 0x5a);

describe('frame scanner', () => {
  for (const fromClient of [true, false]) {
    it(`reports the same messages, controls and close however ${fromClient ? "a terminal's (masked)" : "an upstream's"} bytes are split`, () => {
      const mask = fromClient;
      const stream = Buffer.concat([
        frame(1, text, { mask }),
        // A fragmented binary message with a ping between its fragments.
        frame(2, Buffer.from('abc'), { fin: false, mask }),
        frame(9, Buffer.from('p'), { mask }),
        frame(0, Buffer.from('def'), { fin: true, mask }),
        frame(2, mid, { mask }),
        frame(2, big, { mask }),
        frame(10, Buffer.alloc(0), { mask }),
        frame(8, Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye ✓')]), { mask }),
      ]);
      const expected: Event[] = [
        ['message', text.length, false, text.toString('hex')],
        ['control', 9],
        ['message', 6, true, Buffer.from('abcdef').toString('hex')],
        ['message', 300, true, mid.toString('hex')],
        ['message', 70_000, true, big.toString('hex')],
        ['control', 10],
        ['close', 4001, 'bye ✓'],
      ];
      for (const sizes of [[stream.length], [1], [2, 3, 5, 7], [13, 1, 64 * 1024]]) {
        const { events, ok, scanner } = scanIn(stream, sizes, { fromClient });
        expect(ok).toBe(true);
        expect(events).toEqual(expected);
        expect(scanner.atBoundary()).toBe(true);
      }
      // Without an observer nothing is kept: sizes only.
      expect(scanIn(stream, [9], { fromClient, collect: false }).events[2]).toEqual(['message', 6, true, null]);
    });
  }

  it('a close frame without a code is 1005', () => {
    expect(scanIn(frame(8, Buffer.alloc(0)), [1], { fromClient: false }).events).toEqual([['close', 1005, '']]);
  });

  it('is mid-frame until a frame is whole, header bytes included', () => {
    const r = recorder();
    const scanner = new FrameScanner(false, 1024, false, r);
    const f = frame(1, Buffer.from('hello'));
    scanner.scan(f.subarray(0, 1));
    expect(scanner.atBoundary()).toBe(false);
    scanner.scan(f.subarray(1, 4));
    expect(scanner.atBoundary()).toBe(false);
    scanner.scan(f.subarray(4));
    expect(scanner.atBoundary()).toBe(true);
  });

  const ok = frame(1, Buffer.from('fine'), { mask: true });
  const broken: Array<[string, Buffer, number]> = [
    ['RSV1 without an extension', frame(1, text, { mask: true, rsv: 0x40 }), 1002],
    ['an unmasked frame from a terminal', frame(1, text), 1002],
    ['an unknown opcode', frame(3, text, { mask: true }), 1002],
    ['a fragmented ping', frame(9, text, { mask: true, fin: false }), 1002],
    ['a ping over 125 bytes', frame(9, mid, { mask: true }), 1002],
    ['a continuation with no message', frame(0, text, { mask: true }), 1002],
    ['a message inside a message', Buffer.concat([frame(1, text, { mask: true, fin: false }), frame(1, text, { mask: true })]), 1002],
    ['a message over maxPayload across its fragments', Buffer.concat([frame(2, Buffer.alloc(600), { mask: true, fin: false }), frame(0, Buffer.alloc(600), { mask: true })]), 1009],
  ];
  for (const [what, bytes, code] of broken) {
    it(`${what}: ${code}, and where the offending frame began`, () => {
      const stream = Buffer.concat([ok, bytes]);
      const whole = scanIn(stream, [stream.length], { fromClient: true, maxPayload: 1000 });
      expect(whole.ok).toBe(false);
      expect(whole.scanner.errorCode).toBe(code);
      // The good frame before it (and a first fragment, when that is what came first) is whole frames.
      expect(whole.scanner.errorAt).toBeGreaterThanOrEqual(ok.length);
      expect(stream[whole.scanner.errorAt]! & 0x0f).not.toBe(0x08);
      // Split inside the offending header: its first byte went out in an earlier read.
      const split = scanIn(stream, [whole.scanner.errorAt + 1, 1 << 20], { fromClient: true, maxPayload: 1000 });
      expect(split.ok).toBe(false);
      expect(split.scanner.errorAt).toBe(-1);
    });
  }

  it("the proxy's own close frames read back as sent, masked towards the upstream and plain towards the terminal", () => {
    const toUpstream = closeFrame(1001, 'proxy shutting down', true, () => 0xdeadbeef);
    const toTerminal = closeFrame(1009, 'x'.repeat(200), false, () => 0);
    expect(toUpstream[1]! & 0x80).toBe(0x80);
    expect(toTerminal[1]! & 0x80).toBe(0);
    expect(scanIn(toUpstream, [3], { fromClient: true }).events).toEqual([['close', 1001, 'proxy shutting down']]);
    // A reason is cut to the 123 bytes a control frame has room for.
    expect(scanIn(toTerminal, [3], { fromClient: false }).events).toEqual([['close', 1009, 'x'.repeat(123)]]);
  });
});
