/**
 * How a rollup row (a restaurant-minute or a restaurant-hour) is laid out on disk, compactly, in
 * both engines — and read back as the same `RestaurantMinute`:
 *
 * - counters: JSON without the zero entries (an absent counter is 0, src/core/rollup.ts), so a
 *   quiet minute does not carry a dozen `"opens":0`;
 * - gauges: JSON `{ key: [last, min, max] }` instead of three named fields each;
 * - histograms: one binary blob of the HDR bytes rather than JSON of their base64 (a quarter
 *   smaller), each entry `key length, key, kind, byte length, bytes`. A text that is not canonical
 *   base64 (another encoder's, or garbage the merge keeps as is) is kept verbatim as kind 1, so
 *   what is read is always exactly what was written.
 *
 * Rows written before this layout (named gauge fields, histograms as JSON text) still read: the
 * decoder takes both forms, so no migration rewrites a year of rows.
 */
import type { Gauge, RestaurantMinute } from '../../core/rollup.ts';

export type StoredRow = { counters: string; gauges: string; histograms: Buffer | string };

const KIND_BASE64 = 0;
const KIND_TEXT = 1;

export function encodeCounters(counters: Readonly<Record<string, number>>): string {
  let out = '';
  for (const key in counters) {
    const v = counters[key] as number;
    if (v === 0) continue;
    out += `${out ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(v)}`;
  }
  return `{${out}}`;
}

export function encodeGauges(gauges: Readonly<Record<string, Gauge>>): string {
  const out: Record<string, [number, number, number]> = {};
  for (const key in gauges) {
    const g = gauges[key] as Gauge;
    out[key] = [g.last, g.min, g.max];
  }
  return JSON.stringify(out);
}

const isCanonicalBase64 = (text: string, bytes: Buffer) => bytes.toString('base64') === text;

export function encodeHistograms(histograms: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const key in histograms) {
    const text = histograms[key] as string;
    const keyBytes = Buffer.from(key, 'utf8');
    if (keyBytes.length > 255) throw new RangeError(`histogram key "${key.slice(0, 40)}…" is longer than 255 bytes`);
    const raw = Buffer.from(text, 'base64');
    const canonical = isCanonicalBase64(text, raw);
    const body = canonical ? raw : Buffer.from(text, 'utf8');
    const head = Buffer.alloc(1 + keyBytes.length + 1 + 4);
    head[0] = keyBytes.length;
    keyBytes.copy(head, 1);
    head[1 + keyBytes.length] = canonical ? KIND_BASE64 : KIND_TEXT;
    head.writeUInt32BE(body.length, 2 + keyBytes.length);
    parts.push(head, body);
  }
  return Buffer.concat(parts);
}

export function encodeRow(row: RestaurantMinute): StoredRow {
  return { counters: encodeCounters(row.counters), gauges: encodeGauges(row.gauges), histograms: encodeHistograms(row.histograms) };
}

export function decodeCounters(text: string | Record<string, number>): Record<string, number> {
  const parsed = typeof text === 'string' ? (JSON.parse(text) as Record<string, number>) : text;
  for (const key in parsed) if (parsed[key] === 0) delete parsed[key];
  return parsed;
}

export function decodeGauges(text: string | Record<string, unknown>): Record<string, Gauge> {
  const parsed = typeof text === 'string' ? (JSON.parse(text) as Record<string, unknown>) : text;
  const out: Record<string, Gauge> = {};
  for (const key in parsed) {
    const v = parsed[key];
    out[key] = Array.isArray(v) ? { last: v[0] as number, min: v[1] as number, max: v[2] as number } : (v as Gauge);
  }
  return out;
}

export function decodeHistograms(stored: Buffer | Uint8Array | string | Record<string, string>): Record<string, string> {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, string>;
  if (!(stored instanceof Uint8Array)) return stored;
  const buf = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const out: Record<string, string> = {};
  let at = 0;
  while (at < buf.length) {
    const keyLength = buf[at]!;
    const key = buf.toString('utf8', at + 1, at + 1 + keyLength);
    const kind = buf[at + 1 + keyLength];
    const length = buf.readUInt32BE(at + 2 + keyLength);
    const start = at + 6 + keyLength;
    out[key] = buf.toString(kind === KIND_BASE64 ? 'base64' : 'utf8', start, start + length);
    at = start + length;
  }
  return out;
}

export function decodeRow(rid: string, minute: number, stored: { counters: string | Record<string, number>; gauges: string | Record<string, unknown>; histograms: Buffer | string | Record<string, string> }): RestaurantMinute {
  return { rid, minute, counters: decodeCounters(stored.counters), gauges: decodeGauges(stored.gauges), histograms: decodeHistograms(stored.histograms) };
}
