/**
 * Reading POS-shaped frames (`{ "type": …, "seq": n, … }`) off a Node `ws` socket, for the
 * in-process probe (attach-probe.ts). The probe sits on the gateway's hot path, so a frame is
 * parsed only when it could be a POS control message: text, small, starting with `{`. Anything
 * else still counts as traffic, and is never parsed.
 *
 * What counts as a ping, an ack, an order update or a pong is a predicate the gateway may replace
 * (its protocol may name them otherwise); the defaults are the POS protocol of DESIGN.md.
 */
import type { RawData } from 'ws';

/** A parsed JSON object frame; fields are as the peer sent them, unchecked. */
export type PosFrame = Readonly<Record<string, unknown>>;

export interface FrameShapes {
  /** A heartbeat from the terminal; its `rtt` (if a plausible number) is the terminal-reported round trip. */
  isPing(frame: PosFrame): boolean;
  /** The terminal acknowledges the order update whose `seq` it carries. */
  isAck(frame: PosFrame): boolean;
  /** The gateway sends an order update (its `seq` is what the ack names). */
  isOrder(frame: PosFrame): boolean;
  /** The gateway answers a ping. */
  isPong(frame: PosFrame): boolean;
}

export const posShapes: FrameShapes = {
  isPing: (f) => f.type === 'ping',
  isAck: (f) => f.type === 'ack',
  isOrder: (f) => f.type === 'order',
  isPong: (f) => f.type === 'pong',
};

/** Frames larger than this are not POS control messages: counted, never parsed. */
const maxParsedBytes = 4096;

/**
 * A broadcast serialises an order once and sends the same string to every terminal of a
 * restaurant: remembering the last string parsed makes the other N−1 sends cost a comparison.
 */
let lastText: string | null = null;
let lastFrame: PosFrame | null = null;

function parseText(text: string): PosFrame | null {
  if (text === lastText) return lastFrame;
  let frame: PosFrame | null;
  try {
    const v: unknown = JSON.parse(text);
    frame = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as PosFrame) : null;
  } catch {
    frame = null;
  }
  lastText = text;
  lastFrame = frame;
  return frame;
}

/** An incoming message as `ws` delivers it; null when it is not a small JSON object in a text frame. */
export function parseIncoming(data: RawData, isBinary: boolean): PosFrame | null {
  if (isBinary || !Buffer.isBuffer(data) || data.length > maxParsedBytes || data[0] !== 0x7b /* { */) return null;
  return parseText(data.toString('utf8'));
}

/** What the gateway passed to `ws.send`: strings and Buffers are read, anything else only counted. */
export function parseOutgoing(data: unknown): PosFrame | null {
  if (typeof data === 'string') return data.length <= maxParsedBytes && data.charCodeAt(0) === 0x7b ? parseText(data) : null;
  if (Buffer.isBuffer(data)) return data.length <= maxParsedBytes && data[0] === 0x7b ? parseText(data.toString('utf8')) : null;
  return null;
}

/** Bytes of an incoming message, whichever form `ws` delivered it in. */
export function incomingBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

/** Bytes of what the gateway passed to `ws.send` (as `ws` would frame it). */
export function outgoingBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, b: unknown) => n + outgoingBytes(b), 0);
  return Buffer.byteLength(String(data));
}

/** An integer `seq`, or null. */
export function seqOf(frame: PosFrame): number | null {
  const seq = frame.seq;
  return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : null;
}
