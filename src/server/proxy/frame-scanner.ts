/**
 * Reads a WebSocket byte stream (RFC 6455 §5) without changing it: the proxy forwards the bytes it
 * read as they are, and this scanner, fed the same chunks, tells it where frames begin and end,
 * which messages and control frames passed, the close code and reason, and whether the sender broke
 * the protocol. Why: re-framing every message through ws (parse, unmask, allocate, mask again,
 * writev) was most of the proxy's user CPU and its garbage; a frame header is 2–14 bytes to read.
 *
 * Allocation-free on the hot path: a frame's header is parsed in place; only a header split across
 * two reads is copied (into 14 bytes per scanner, made the first time), only a close frame's payload
 * is kept, and a data message's payload only when asked (`collect`, when an observer reads them).
 *
 * The checks are the ones ws made when it parsed for the proxy, so a sender that breaks the protocol
 * meets the same verdict: RSV bits without a negotiated extension, an unknown opcode, a fragmented
 * or oversized control frame, a continuation with no message (or a new message inside one), a mask
 * bit wrong for the sender's side → 1002; a message over `maxPayload` → 1009. UTF-8 and close-code
 * validity stay the receiving end's to judge, as before (skipUTF8Validation was on both legs).
 */

export interface FrameEvents {
  /** A whole data message passed (its last fragment); `payload` only when collecting, unmasked. */
  message(bytes: number, isBinary: boolean, payload: Buffer | null): void;
  /** A ping (9) or pong (10) passed. */
  control(opcode: number): void;
  /** A close frame passed; 1005 when it carried no code. */
  close(code: number, reason: Buffer): void;
}

const emptyBuffer = Buffer.alloc(0);
const noCode = 1005;
const maxHeaderBytes = 14;

const joined = (kept: Buffer[] | null): Buffer => (kept === null || kept.length === 0 ? emptyBuffer : kept.length === 1 ? kept[0]! : Buffer.concat(kept));

/** Bytes of the header that starts with these two bytes. */
const headerSize = (b1: number): number => 2 + ((b1 & 0x7f) === 126 ? 2 : (b1 & 0x7f) === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);

export class FrameScanner {
  /** 1002 or 1009 after `scan` returned false. */
  errorCode = 0;
  /** Where, in the chunk just scanned, the offending frame began; -1: its first bytes were in an earlier chunk. */
  errorAt = 0;

  /** A header split across reads, and how much of it is here. */
  private header: Buffer | null = null;
  private headerHave = 0;
  /** Payload bytes of the current frame still to come; -1 between frames. */
  private remaining = -1;
  private opcode = 0;
  private fin = false;
  private maskKey = 0;
  private masked = false;
  /** Payload bytes of the current frame seen so far (the mask index). */
  private seen = 0;
  /** Inside a fragmented data message. */
  private inMessage = false;
  private messageBinary = false;
  private messageBytes = 0;
  /** A data message's payload so far (when collecting), a close frame's, and where this frame's goes. */
  private messageKept: Buffer[] | null = null;
  private closeKept: Buffer[] | null = null;
  private keepInto: Buffer[] | null = null;

  /**
   * @param fromClient frames of this stream must be masked (a terminal's) or must not (a server's)
   * @param collect keep data messages' payloads for `message()`
   */
  constructor(
    private readonly fromClient: boolean,
    private readonly maxPayload: number,
    private readonly collect: boolean,
    private readonly events: FrameEvents,
  ) {}

  /** Between frames, with no partial header held: a frame of the proxy's own may be written after what was forwarded. */
  atBoundary(): boolean {
    return this.remaining === -1 && this.headerHave === 0;
  }

  /** True when the chunk is well-formed so far; false when the sender broke the protocol (`errorCode`, `errorAt`). */
  scan(chunk: Buffer): boolean {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        if (this.keepInto !== null) this.keep(chunk, i, take);
        this.remaining -= take;
        this.seen += take;
        i += take;
        if (this.remaining === 0) this.frameDone();
        continue;
      }
      const start = i;
      let src: Buffer;
      let at: number;
      if (this.headerHave === 0 && n - i >= 2 && n - i >= headerSize(chunk[i + 1]!)) {
        // The usual case: the whole header in this read, parsed where it lies.
        src = chunk;
        at = i;
        i += headerSize(chunk[i + 1]!);
      } else {
        const h = (this.header ??= Buffer.allocUnsafe(maxHeaderBytes));
        if (this.headerHave < 2) {
          const take = Math.min(2 - this.headerHave, n - i);
          chunk.copy(h, this.headerHave, i, i + take);
          this.headerHave += take;
          i += take;
          if (this.headerHave < 2) continue;
        }
        const need = headerSize(h[1]!);
        const take = Math.min(need - this.headerHave, n - i);
        chunk.copy(h, this.headerHave, i, i + take);
        this.headerHave += take;
        i += take;
        if (this.headerHave < need) continue;
        this.headerHave = 0;
        src = h;
        at = 0;
      }
      const code = this.beginFrame(src, at);
      if (code !== 0) {
        this.errorCode = code;
        this.errorAt = src === chunk ? start : -1;
        return false;
      }
      if (this.remaining === 0) this.frameDone();
    }
    return true;
  }

  /** Reads the header at `src[at]`; 0, or the close code the sender has earned. */
  private beginFrame(src: Buffer, at: number): number {
    const b0 = src[at]!;
    const b1 = src[at + 1]!;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const masked = (b1 & 0x80) !== 0;
    if ((b0 & 0x70) !== 0 || masked !== this.fromClient) return 1002;
    let length = b1 & 0x7f;
    let p = at + 2;
    if (length === 126) {
      length = src.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      const high = src.readUInt32BE(p);
      // Over 2^53 − 1 cannot be counted (ws answers 1009 too).
      if (high > 0x1fffff) return 1009;
      length = high * 2 ** 32 + src.readUInt32BE(p + 4);
      p += 8;
    }
    if (opcode >= 8) {
      if (opcode > 10 || !fin || length > 125) return 1002;
    } else if (opcode === 0) {
      if (!this.inMessage) return 1002;
    } else if (opcode === 1 || opcode === 2) {
      if (this.inMessage) return 1002;
      this.inMessage = true;
      this.messageBinary = opcode === 2;
      this.messageBytes = 0;
    } else {
      return 1002;
    }
    if (opcode < 8) {
      this.messageBytes += length;
      if (this.messageBytes > this.maxPayload) return 1009;
    }
    this.opcode = opcode;
    this.fin = fin;
    this.masked = masked;
    this.maskKey = masked ? src.readUInt32BE(p) : 0;
    this.remaining = length;
    this.seen = 0;
    // Pings and pongs may come between a message's fragments: their payloads are not the message's.
    this.keepInto = opcode === 8 ? (this.closeKept = []) : opcode < 8 && this.collect ? (this.messageKept ??= []) : null;
    return 0;
  }

  private frameDone(): void {
    this.remaining = -1;
    this.keepInto = null;
    const opcode = this.opcode;
    if (opcode === 8) {
      const payload = joined(this.closeKept);
      this.closeKept = null;
      this.events.close(payload.length >= 2 ? payload.readUInt16BE(0) : noCode, payload.length > 2 ? payload.subarray(2) : emptyBuffer);
    } else if (opcode >= 9) {
      this.events.control(opcode);
    } else if (this.fin) {
      this.inMessage = false;
      const payload = this.collect ? joined(this.messageKept) : null;
      this.messageKept = null;
      this.events.message(this.messageBytes, this.messageBinary, payload);
    }
  }

  /** A copy of `take` payload bytes at `chunk[i]`, unmasked: the forwarded bytes stay as they were. */
  private keep(chunk: Buffer, i: number, take: number): void {
    const copy = Buffer.allocUnsafe(take);
    chunk.copy(copy, 0, i, i + take);
    if (this.masked) {
      const key = this.maskKey;
      for (let k = 0; k < take; k++) copy[k]! ^= (key >>> (24 - 8 * ((this.seen + k) & 3))) & 0xff;
    }
    this.keepInto!.push(copy);
  }
}

/**
 * A close frame of the proxy's own (shutdown, a protocol verdict): masked towards the upstream, as a
 * client must send it, plain towards the terminal. Rare, so its mask comes from crypto.
 */
export function closeFrame(code: number, reason: string, masked: boolean, randomMask: () => number): Buffer {
  // A close reason is at most 123 bytes (a control frame's 125 less the code).
  let text = Buffer.from(reason);
  if (text.length > 123) text = text.subarray(0, 123);
  const length = 2 + text.length;
  const frame = Buffer.allocUnsafe(2 + (masked ? 4 : 0) + length);
  frame[0] = 0x88;
  frame[1] = (masked ? 0x80 : 0) | length;
  let p = 2;
  const key = masked ? randomMask() >>> 0 : 0;
  if (masked) {
    frame.writeUInt32BE(key, p);
    p += 4;
  }
  frame.writeUInt16BE(code, p);
  text.copy(frame, p + 2);
  if (masked) for (let k = 0; k < length; k++) frame[p + k]! ^= (key >>> (24 - 8 * (k & 3))) & 0xff;
  return frame;
}
