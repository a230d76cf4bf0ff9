/**
 * The bounds of every number a terminal or a probe sends (issue 18, items 1 and 4), as one table:
 * the terminals' frames (pos-messages.ts, through the gateway's decoder) and the open ingest
 * (ingest.ts: the batch envelope and each raw event). Each row: a value, and whether it passes or
 * the stable code it is refused with. A value in range passes unchanged; what a correct sender can
 * never send is refused; a figure a buggy clock makes implausible (a terminal's rtt) passes here
 * and is judged by the one rule (src/core/rtt-plausible.ts), also tabled below.
 */
import { describe, expect, it } from 'vitest';
import { judgeRtt } from '../core/rtt-plausible.ts';
import { decodeTerminalMessage } from './codec.ts';
import type { ErrorCode } from './errors.ts';
import { decodeIngestBatch, decodeRawEvent, ingestLimits } from './ingest.ts';
import { maxTimeMs } from './time-bounds.ts';

type Row = [field: string, value: unknown, expected: 'ok' | ErrorCode];

/** JSON text with the value spliced in as written (so 1e400 reaches the decoder as Infinity would). */
const withValue = (template: Record<string, unknown>, field: string, value: unknown): string =>
  JSON.stringify({ ...template, [field]: '__V__' }).replace('"__V__"', typeof value === 'string' && value.startsWith('raw:') ? value.slice(4) : JSON.stringify(value));

const T = 1_764_756_000_000;
const common: Row[] = [
  ['', 'raw:1e400', 'INVALID_MESSAGE'], // parses as Infinity
  ['', 'raw:-1e400', 'INVALID_MESSAGE'],
  ['', '12', 'INVALID_MESSAGE'],
  ['', null, 'INVALID_MESSAGE'],
  ['', true, 'INVALID_MESSAGE'],
];
const rows = (field: string, own: [unknown, 'ok' | ErrorCode][]): Row[] => [...own.map(([v, e]): Row => [field, v, e]), ...common.map(([, v, e]): Row => [field, v, e])];

describe('terminal → gateway frames', () => {
  const ping = { type: 'ping', seq: 1, timestamp: T, rtt: 12 };
  const table: Row[] = [
    ...rows('seq', [[0, 'ok'], [Number.MAX_SAFE_INTEGER, 'ok'], [-1, 'INVALID_MESSAGE'], [1.5, 'INVALID_MESSAGE'], [2 ** 53, 'INVALID_MESSAGE'], [1e308, 'INVALID_MESSAGE']]),
    ...rows('timestamp', [[0, 'ok'], [T, 'ok'], [maxTimeMs, 'ok'], [maxTimeMs + 1000, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE'], [T + 0.5, 'INVALID_MESSAGE'], [1e308, 'INVALID_MESSAGE']]),
    // A figure: any finite number passes the frame; the gateway judges it (below), never closing for it.
    ...rows('rtt', [[0, 'ok'], [-1, 'ok'], [1e9, 'ok'], [1e308, 'ok'], [0.25, 'ok']]),
  ];
  it.each(table)('ping.%s = %s → %s', (field, value, expected) => {
    const decoded = decodeTerminalMessage(withValue(ping, field, value));
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe(expected);
    if (decoded.ok) expect((decoded.value as unknown as Record<string, unknown>)[field]).toBe(value);
  });
  it.each(rows('seq', [[0, 'ok'], [-1, 'INVALID_MESSAGE'], [0.5, 'INVALID_MESSAGE']]))('ack.%s = %s → %s', (field, value, expected) => {
    const decoded = decodeTerminalMessage(withValue({ type: 'ack', seq: 1, timestamp: T }, field, value));
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe(expected);
  });
});

describe('the open ingest: raw events', () => {
  const open = { type: 'open', t: T, conn: 'c1', rid: 'r-001', tid: 'till-1', via: 'query' };
  const ping = { type: 'ping', t: T, conn: 'c1' };
  const ack = { type: 'ack', t: T, conn: 'c1', seq: 3, latency: 40 };
  const cases: [string, Record<string, unknown>, Row[]][] = [
    ['open', open, rows('t', [[T, 'ok'], [T + 0.25, 'ok'], [maxTimeMs, 'ok'], [maxTimeMs + 1000, 'INVALID_MESSAGE'], [1e16, 'INVALID_MESSAGE'], [1e308, 'INVALID_MESSAGE'], [0, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE']])],
    ['ping', ping, rows('rtt', [[0, 'ok'], [12.5, 'ok'], [ingestLimits.maxRttMs, 'ok'], [ingestLimits.maxRttMs + 1, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE'], [1e9, 'INVALID_MESSAGE']])],
    // What the rtt cannot carry goes here, for the hub to count against the terminal; finite only.
    ['ping', ping, rows('implausibleRtt', [[1e9, 'ok'], [-1, 'ok'], [Number.MAX_VALUE, 'ok'], [-Number.MAX_VALUE, 'ok']])],
    ['pong', { type: 'pong', t: T, conn: 'c1' }, rows('rtt', [[0, 'ok'], [ingestLimits.maxRttMs, 'ok'], [ingestLimits.maxRttMs + 1, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE']])],
    ['ack', ack, rows('seq', [[0, 'ok'], [Number.MAX_SAFE_INTEGER, 'ok'], [-1, 'INVALID_MESSAGE'], [1.5, 'INVALID_MESSAGE'], [2 ** 53, 'INVALID_MESSAGE']])],
    ['ack', ack, rows('latency', [[0, 'ok'], [0.5, 'ok'], [ingestLimits.maxLatencyMs, 'ok'], [ingestLimits.maxLatencyMs + 1, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE']])],
    ['close', { type: 'close', t: T, conn: 'c1', code: 1000, by: 'terminal' }, rows('code', [[1000, 'ok'], [4999, 'ok'], [999, 'INVALID_MESSAGE'], [5000, 'INVALID_MESSAGE'], [1000.5, 'INVALID_MESSAGE']])],
    ['traffic', { type: 'traffic', t: T, conn: 'c1' }, rows('bytesIn', [[0, 'ok'], [1e9, 'ok'], [1e9 + 1, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE'], [0.5, 'INVALID_MESSAGE']])],
  ];
  for (const [type, template, table] of cases) {
    it.each(table)(`${type}.%s = %s → %s`, (field, value, expected) => {
      const decoded = decodeRawEvent(JSON.parse(withValue(template, field, value)));
      expect(decoded.ok ? 'ok' : decoded.error.code).toBe(expected);
    });
  }
});

describe('the open ingest: the batch envelope', () => {
  const batch = { v: 1, gw: 'gw-1', run: T, seq: 1, t: T, events: [] };
  const table: Row[] = [
    ...rows('run', [[1, 'ok'], [T, 'ok'], [maxTimeMs, 'ok'], [maxTimeMs + 1000, 'INVALID_MESSAGE'], [0, 'INVALID_MESSAGE'], [T + 0.5, 'INVALID_MESSAGE']]),
    ...rows('seq', [[1, 'ok'], [Number.MAX_SAFE_INTEGER, 'ok'], [0, 'INVALID_MESSAGE'], [1.5, 'INVALID_MESSAGE'], [2 ** 53, 'INVALID_MESSAGE']]),
    ...rows('t', [[T, 'ok'], [maxTimeMs + 1000, 'INVALID_MESSAGE'], [0, 'INVALID_MESSAGE']]),
    ...rows('dropped', [[0, 'ok'], [1e9, 'ok'], [1e9 + 1, 'INVALID_MESSAGE'], [-1, 'INVALID_MESSAGE'], [0.5, 'INVALID_MESSAGE']]),
  ];
  it.each(table)('batch.%s = %s → %s', (field, value, expected) => {
    const decoded = decodeIngestBatch(withValue(batch, field, value));
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe(expected);
  });
});

describe('the one rtt rule (gateway and hub alike)', () => {
  const intervalMs = 15_000;
  it.each([
    [undefined, {}],
    [0, { rtt: 0 }],
    [12.5, { rtt: 12.5 }],
    [intervalMs, { rtt: intervalMs }],
    [intervalMs + 0.001, { implausibleRtt: intervalMs + 0.001 }],
    [-0.001, { implausibleRtt: -0.001 }],
    [1e9, { implausibleRtt: 1e9 }],
    [NaN, { implausibleRtt: NaN }],
    [Infinity, { implausibleRtt: Infinity }],
  ] as const)('rtt %s within a 15 s interval → %o', (rtt, expected) => {
    expect(judgeRtt(rtt, intervalMs)).toEqual(expected);
  });
});
