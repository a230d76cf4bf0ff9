import { describe, expect, it } from 'vitest';
import { decodeLiveFrame, decodeViewerMessage, formatSince, parseSince } from './live.ts';

const totals = {
  restaurants: 0,
  byStatus: { healthy: 0, degraded: 0, unhealthy: 0, offline: 0, unknown: 0 },
  connections: 0,
  expected: 0,
  reconnectsPerMin: 0,
  heartbeatSuccess: null,
  rttMs: null,
  deliveryMs: null,
  errors: {},
  errorsPerMin: 0,
  stability: null,
};

describe('live stream positions', () => {
  it('round-trips a position through the since query value', () => {
    expect(parseSince(formatSince({ epoch: 'Ab_9-x', seq: 1234 }))).toEqual({ epoch: 'Ab_9-x', seq: 1234 });
  });

  it('refuses what is not a position', () => {
    for (const bad of ['', '12', '.5', 'abc.', 'abc.-1', 'abc.1e3', 'abc.9999999999999999', `${'x'.repeat(65)}.1`]) {
      expect(parseSince(bad), bad).toBeNull();
    }
    expect(parseSince(null)).toBeNull();
  });
});

describe('live codecs', () => {
  it('decodes every viewer message and refuses unknown ones with stable codes', () => {
    expect(decodeViewerMessage('{"type":"resume","epoch":"e1","since":3}')).toEqual({ ok: true, value: { type: 'resume', epoch: 'e1', since: 3 } });
    expect(decodeViewerMessage('{"type":"ping"}').ok).toBe(true);
    const unknown = decodeViewerMessage('{"type":"subscribe","rid":"r-1"}');
    expect(!unknown.ok && unknown.error.code).toBe('UNKNOWN_TYPE');
    const invalid = decodeViewerMessage('{"type":"watch_terminal","tid":""}');
    expect(!invalid.ok && invalid.error.code).toBe('INVALID_MESSAGE');
    const notJson = decodeViewerMessage('{');
    expect(!notJson.ok && notJson.error.code).toBe('NOT_JSON');
  });

  it('decodes a delta and refuses one that breaks the figures contract', () => {
    const delta = { type: 'delta', epoch: 'e1', seq: 2, t: 1, restaurants: [], removed: ['r-1'], totals, events: [], eventsOmitted: 0, refreshMs: 60_000 };
    expect(decodeLiveFrame(JSON.stringify(delta)).ok).toBe(true);
    const badShare = { ...delta, totals: { ...totals, heartbeatSuccess: 1.5 } };
    expect(decodeLiveFrame(JSON.stringify(badShare)).ok).toBe(false);
    const badError = { ...delta, totals: { ...totals, errors: { made_up: 1 } } };
    expect(decodeLiveFrame(JSON.stringify(badError)).ok).toBe(false);
  });

  it('carries "offline" as a restaurant status, and nothing it does not know', () => {
    const row = { rid: 'r-1', status: 'offline', connections: 0, expected: 4, reconnectsPerMin: 0, heartbeatSuccess: null, rttMs: null, deliveryMs: null, errors: {}, errorsPerMin: 0, stability: 0 };
    const delta = { type: 'delta', epoch: 'e1', seq: 2, t: 1, restaurants: [row], removed: [], totals: { ...totals, restaurants: 1, byStatus: { ...totals.byStatus, offline: 1 } }, events: [], eventsOmitted: 0, refreshMs: 60_000 };
    expect(decodeLiveFrame(JSON.stringify(delta)).ok).toBe(true);
    expect(decodeLiveFrame(JSON.stringify({ ...delta, restaurants: [{ ...row, status: 'down' }] })).ok).toBe(false);
  });

  it('takes patches in deltas: rid and any valid fields, null as a value; nothing without a rid or out of contract', () => {
    const delta = { type: 'delta', epoch: 'e1', seq: 2, t: 1, removed: [], totals, events: [], eventsOmitted: 0, refreshMs: 60_000 };
    const ok = decodeLiveFrame(JSON.stringify({ ...delta, restaurants: [{ rid: 'r-1', rttMs: null, connections: 3 }] }));
    expect(ok.ok && ok.value.type === 'delta' && ok.value.restaurants).toEqual([{ rid: 'r-1', rttMs: null, connections: 3 }]);
    expect(decodeLiveFrame(JSON.stringify({ ...delta, restaurants: [{ connections: 3 }] })).ok).toBe(false);
    expect(decodeLiveFrame(JSON.stringify({ ...delta, restaurants: [{ rid: 'r-1', stability: 2 }] })).ok).toBe(false);
  });

  it('accepts only stable error codes in error frames', () => {
    expect(decodeLiveFrame('{"type":"error","epoch":"e","seq":0,"code":"NOT_IN_SCOPE","message":"Not in your scope"}').ok).toBe(true);
    expect(decodeLiveFrame('{"type":"error","epoch":"e","seq":0,"code":"OOPS","message":"x"}').ok).toBe(false);
  });
});
