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

/**
 * What `addEncodedInto` did: added the counts, found the text is not a histogram we accept (and
 * left the target as it was), or left it to the general path (decode, then `add`) — the library's
 * compressed form, non-canonical base64, or counts and values so large that the general path's
 * float arithmetic and overflow behaviour are not worth reproducing here.
 */
export type AddEncodedResult = 'added' | 'invalid' | 'unhandled';

/** Base64 character code → 6 bits, −1 for anything else. */
const SEXTET = new Int8Array(128).fill(-1);
BASE64.forEach((code, i) => (SEXTET[code] = i));
// Reused across calls: a stored minute is merged in the tens of thousands per review, and each
// call building an Uint8Array, a DataView and a histogram was most of its cost (20 µs against 3).
let bytesIn = new Uint8Array(1024);
let pendingIndex = new Int32Array(256);
let pendingCount = new Float64Array(256);
/** Above this index a bucket's value nears 2^53 µs; the general path keeps what it does there. */
const FAST_INDEX_LIMIT = 45 * 128;
const FAST_COUNT_LIMIT = 2 ** 31;

/** Canonical padded base64 (what `encodeV2` and `btoa` write) into `bytesIn`; its length, or −1. */
function fromCanonicalBase64(text: string): number {
  const length = text.length;
  if (length === 0 || length % 4 !== 0) return -1;
  const pads = text.charCodeAt(length - 1) === PAD ? (text.charCodeAt(length - 2) === PAD ? 2 : 1) : 0;
  const size = (length / 4) * 3 - pads;
  if (bytesIn.length < size + 2) bytesIn = new Uint8Array(Math.max(size + 2, bytesIn.length * 2));
  const out = bytesIn;
  let o = 0;
  for (let i = 0; i < length; i += 4) {
    const last = i + 4 === length;
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    const s0 = c0 < 128 ? (SEXTET[c0] as number) : -1;
    const s1 = c1 < 128 ? (SEXTET[c1] as number) : -1;
    const s2 = last && pads === 2 ? 0 : c2 < 128 ? (SEXTET[c2] as number) : -1;
    const s3 = last && pads >= 1 ? 0 : c3 < 128 ? (SEXTET[c3] as number) : -1;
    if ((s0 | s1 | s2 | s3) < 0) return -1;
    const n = (s0 << 18) | (s1 << 12) | (s2 << 6) | s3;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  return size;
}

const int32At = (b: Uint8Array, at: number) => ((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number);
const uint32At = (b: Uint8Array, at: number) => int32At(b, at) >>> 0;

/**
 * Add the histogram `text` encodes into `target`, with the result `target.add(decoded)` gives
 * after `decodeHistogram` — same counts, total, min, max and range, so the same figures and the
 * same bytes when encoded — but without the decoded histogram, its buffers or a binary string.
 * The target must be one of core's (lowest 1, 2 significant digits); anything else is 'unhandled'.
 */
export function addEncodedInto(target: JsHistogram, text: string): AddEncodedResult {
  if (target.lowestDiscernibleValue !== 1 || target.numberOfSignificantValueDigits !== 2 || !target.autoResize) return 'unhandled';
  const length = fromCanonicalBase64(text);
  if (length < 0) return 'unhandled';
  const b = bytesIn;
  if (length < 8) return 'invalid';
  const cookie = int32At(b, 0);
  if (cookie === V2_COMPRESSED_COOKIE) return 'unhandled';
  if (cookie !== V2_COOKIE || length < HEADER_BYTES) return 'invalid';
  const payload = int32At(b, 4);
  const end = HEADER_BYTES + payload;
  // decodeV2's checks and then decodeHistogram's (2 digits, lowest 1): any failure is a refusal.
  const highestBelow2 = int32At(b, 24) < 0 || (int32At(b, 24) === 0 && uint32At(b, 28) < 2);
  if (payload < 0 || end > length || int32At(b, 12) !== 2 || int32At(b, 16) !== 0 || uint32At(b, 20) !== 1 || highestBelow2) return 'invalid';
  let pending = 0;
  let sum = 0;
  let at = HEADER_BYTES;
  let index = 0;
  while (at < end) {
    // The same arithmetic as decodeV2, so the same counts come out of the same bytes.
    let v = 0;
    let scale = 1;
    let byte: number;
    do {
      if (at >= end) return 'invalid';
      byte = b[at++] as number;
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    const count = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    if (count < 0) {
      index -= count;
      continue;
    }
    if (count > 0) {
      if (count >= FAST_COUNT_LIMIT || index >= FAST_INDEX_LIMIT) return 'unhandled';
      if (pending === pendingIndex.length) {
        const grownIndex = new Int32Array(pending * 2);
        grownIndex.set(pendingIndex);
        pendingIndex = grownIndex;
        const grownCount = new Float64Array(pending * 2);
        grownCount.set(pendingCount);
        pendingCount = grownCount;
      }
      pendingIndex[pending] = index;
      pendingCount[pending++] = count;
      sum += count;
    }
    index++;
  }
  // An empty histogram: Histogram.merge skips it, and so does this.
  if (pending === 0) return 'added';
  if (target.totalCount + sum >= Number.MAX_SAFE_INTEGER) return 'unhandled';
  // What JsHistogram.add does for two histograms of the same layout: grow to the other's max
  // value, add counts index by index, then total, max and min (with lowest 1 a value is its own
  // bucket's lowest, so max and min are plain values).
  const maxIndex = pendingIndex[pending - 1] as number;
  const maxValue = target.valueFromIndex(maxIndex);
  if (maxIndex >= target.countsArrayLength) target.resize(maxValue);
  for (let k = 0; k < pending; k++) target.addToCountAtIndex(pendingIndex[k] as number, pendingCount[k] as number);
  target.setTotalCount(target.totalCount + sum);
  if (maxValue > target.maxValue) target.maxValue = maxValue;
  const firstNonZero = pendingIndex[0] === 0 ? 1 : 0;
  if (firstNonZero < pending) {
    const minValue = target.valueFromIndex(pendingIndex[firstNonZero] as number);
    if (minValue < target.minNonZeroValue) target.minNonZeroValue = minValue;
  }
  return 'added';
}
