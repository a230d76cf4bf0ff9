/**
 * The HDR V2 encoding, without deflate, written and read here rather than through the library.
 *
 * Why not the library's `encodeIntoCompressedBase64`: it deflates every histogram, and zlib's
 * per-call set-up (~15 µs) is most of what a gateway spends per restaurant-second — for the few
 * dozen buckets a second or a minute fills, deflate saves a few bytes at best. The byte layout is
 * the standard V2 one (big-endian header, ZigZag LEB128 counts, negative numbers for runs of
 * zeros), so HDR tools in other languages can still read it; `decodeHistogram` reads both this and
 * the compressed form.
 */
import { build, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';

const V2_COOKIE = 0x1c849303 | 0x10;
const V2_COMPRESSED_COOKIE = 0x1c849304 | 0x10;
const HEADER_BYTES = 40;

let scratch = new Uint8Array(1024);
let scratchView = new DataView(scratch.buffer);
/** The base64 text of `scratch`, as ASCII codes, before it becomes a string. */
let ascii = new Uint8Array(1368);

function ensure(size: number): void {
  if (scratch.length < size) {
    const next = new Uint8Array(Math.max(size, scratch.length * 2));
    next.set(scratch);
    scratch = next;
    scratchView = new DataView(scratch.buffer);
  }
}

/** ZigZag then LEB128, with arithmetic rather than bit operations so counts above 2^31 survive. */
function putVarLong(at: number, value: number): number {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 128) {
    scratch[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  scratch[at++] = v;
  return at;
}

/** A non-negative integer below 2^53 as a big-endian int64, without a BigInt per call. */
function putInt64(at: number, value: number): void {
  scratchView.setUint32(at, Math.floor(value / 0x1_0000_0000));
  scratchView.setUint32(at + 4, value >>> 0);
}

const BASE64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const PAD = 61; // '='
// The text is ASCII, so any decoder reads it; UTF-8 is the one every runtime has.
const asciiDecoder = new TextDecoder();

/**
 * Standard base64 with padding, the same text as `btoa`. Written out because a gateway encodes a
 * histogram per restaurant-second: `btoa(String.fromCharCode(...bytes))` spread every byte into an
 * argument list and built a binary string first — ~2 µs and ~400 B of garbage for a 46-byte
 * histogram, against ~0.2 µs and one string here (measured in Node 20).
 */
function toBase64(bytes: Uint8Array, length: number): string {
  const size = Math.ceil(length / 3) * 4;
  if (ascii.length < size) ascii = new Uint8Array(size * 2);
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    ascii[o++] = BASE64[n >>> 18] as number;
    ascii[o++] = BASE64[(n >>> 12) & 63] as number;
    ascii[o++] = BASE64[(n >>> 6) & 63] as number;
    ascii[o++] = BASE64[n & 63] as number;
  }
  if (i < length) {
    const two = i + 1 < length;
    const n = ((bytes[i] as number) << 16) | (two ? (bytes[i + 1] as number) << 8 : 0);
    ascii[o++] = BASE64[n >>> 18] as number;
    ascii[o++] = BASE64[(n >>> 12) & 63] as number;
    ascii[o++] = two ? (BASE64[(n >>> 6) & 63] as number) : PAD;
    ascii[o++] = PAD;
  }
  return asciiDecoder.decode(ascii.subarray(0, o));
}

/** Encode as base64 of the uncompressed V2 layout. */
export function encodeV2(h: JsHistogram): string {
  const last = h.totalCount === 0 ? -1 : Math.min(h.countsArrayIndex(h.maxValue), h.countsArrayLength - 1);
  // Worst case 9 bytes a count; a reused module-level buffer keeps encoding allocation-light.
  ensure(HEADER_BYTES + 9 * (last + 1));
  let at = HEADER_BYTES;
  for (let i = 0; i <= last; ) {
    const count = h.getCountAtIndex(i);
    if (count !== 0) {
      at = putVarLong(at, count);
      i++;
      continue;
    }
    let zeros = 1;
    while (i + zeros <= last && h.getCountAtIndex(i + zeros) === 0) zeros++;
    at = putVarLong(at, zeros > 1 ? -zeros : 0);
    i += zeros;
  }
  const view = scratchView;
  view.setInt32(0, V2_COOKIE);
  view.setInt32(4, at - HEADER_BYTES);
  view.setInt32(8, 0); // normalizing index offset
  view.setInt32(12, h.numberOfSignificantValueDigits);
  putInt64(16, h.lowestDiscernibleValue);
  putInt64(24, h.highestTrackableValue);
  view.setFloat64(32, 1.0); // integer to double conversion ratio
  return toBase64(scratch, at);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decode either form; null when the text is not a histogram we can read. */
export function decodeAny(text: string, bitBucketSize: 32 | 64): JsHistogram | null {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    return null;
  }
  if (bytes.length < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cookie = view.getInt32(0);
  try {
    if (cookie === V2_COMPRESSED_COOKIE) return decodeFromCompressedBase64(text, bitBucketSize, false) as JsHistogram;
    if (cookie !== V2_COOKIE || bytes.length < HEADER_BYTES) return null;
    return decodeV2(view, bitBucketSize);
  } catch {
    return null;
  }
}

function decodeV2(view: DataView, bitBucketSize: 32 | 64): JsHistogram | null {
  const payload = view.getInt32(4);
  const digits = view.getInt32(12);
  const lowest = Number(view.getBigInt64(16));
  const highest = Number(view.getBigInt64(24));
  const end = HEADER_BYTES + payload;
  if (payload < 0 || end > view.byteLength || digits < 1 || digits > 5 || lowest < 1 || highest < 2 * lowest) return null;
  const h = build({ bitBucketSize, lowestDiscernibleValue: lowest, highestTrackableValue: highest, numberOfSignificantValueDigits: digits as 1 | 2 | 3 | 4 | 5, autoResize: true, useWebAssembly: false }) as JsHistogram;
  let at = HEADER_BYTES;
  let index = 0;
  while (at < end) {
    let v = 0;
    let scale = 1;
    let byte: number;
    do {
      if (at >= end) return null;
      byte = view.getUint8(at++);
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    const count = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (count < 0) {
      index -= count;
    } else {
      if (count > 0) h.recordValueWithCount(h.valueFromIndex(index), count);
      index++;
    }
  }
  return h;
}
