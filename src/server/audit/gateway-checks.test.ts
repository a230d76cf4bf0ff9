/**
 * The judges on literal records, at the boundaries a socket test cannot place exactly: the
 * heartbeat deadline's edges, a refusal by HTTP status, an answered oversized frame that was
 * closed later for another reason, a token in a header.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedFrame, SocketRecord } from './audit-socket.ts';
import { judgeFlood, judgeFrameSize, judgeNotEchoed, judgeRefusals, judgeSilence, judgeUnprocessed, type RefusalAttempt } from './gateway-checks.ts';

const pong = (seq: number, at: number): ReceivedFrame => ({ at, message: { type: 'pong', seq, timestamp: at }, text: `{"type":"pong","seq":${seq}}`, bytes: 30 });
const rec = (o: Partial<SocketRecord> = {}): SocketRecord => ({ way: 'query', startedAt: 0, headers: {}, handshakeError: null, httpStatus: null, openedAt: 10, frames: [], close: null, ...o });
const closeAt = (at: number, code: number) => ({ close: { at, code, reason: '' } });
const attempt = (record: SocketRecord): RefusalAttempt => ({ forgery: { check: 'token.alg-none', label: 'alg none', token: 'x.y.' }, way: 'query', record });

describe('judgeSilence (interval 1000, grace 500, tolerance 250: closed 4008 within [1500, 2750] ms of the last frame)', () => {
  const facts = (record: SocketRecord) => judgeSilence({ record, lastSentAt: 10, intervalMs: 1000, graceMs: 500, toleranceMs: 250 });
  it.each([
    [1510, 4008, 'pass', /closed 4008/],
    [2750, 4008, 'pass', /closed 4008/],
    [2800, 4008, 'fail', /too late/],
    [1400, 4008, 'fail', /too early/],
    [2600, 1000, 'fail', /closed 1000, not 4008/],
  ] as const)('closed at %i with %i: %s', (at, code, status, summary) => {
    const v = facts(rec(closeAt(at, code)));
    expect(v.status).toBe(status);
    expect(v.summary).toMatch(summary);
  });
  it('never closed: no server-side heartbeat timeout', () => {
    expect(facts(rec()).summary).toMatch(/^no server-side heartbeat timeout/);
  });
});

describe('judgeRefusals and judgeUnprocessed', () => {
  it('4001 is a refusal; an HTTP 401 at the upgrade is not (terminals see 1006 and retry)', () => {
    expect(judgeRefusals('token.alg-none', [attempt(rec(closeAt(15, 4001)))]).status).toBe('pass');
    const http = judgeRefusals('token.alg-none', [attempt(rec({ openedAt: null, httpStatus: 401, handshakeError: 'Unexpected server response: 401' }))]);
    expect(http).toMatchObject({ status: 'fail', summary: expect.stringMatching(/not with 4001.*HTTP 401/) });
  });
  it('an answered ping then 4001 is a refusal for the token check, and a fail for "nothing processed"', () => {
    const served = attempt(rec({ frames: [pong(1, 12)], ...closeAt(40, 4001) }));
    expect(judgeRefusals('token.alg-none', [served]).status).toBe('pass');
    expect(judgeUnprocessed([served, attempt(rec(closeAt(15, 4001)))])).toMatchObject({ status: 'fail', summary: expect.stringMatching(/1 of 2/) });
  });
  it('an answered ping and no 4001 is an accepted token, and not counted as a refusal', () => {
    const accepted = attempt(rec({ frames: [pong(1, 12)] }));
    expect(judgeRefusals('token.alg-none', [accepted]).summary).toBe('accepted a bad token: alg none');
    expect(judgeUnprocessed([accepted]).status).toBe('n/a');
  });
});

describe('limits', () => {
  it('an oversized ping answered and later closed 4008 is "no frame size limit", not a wrong close code', () => {
    const v = judgeFrameSize(rec({ frames: [pong(1, 11), pong(2, 20)], ...closeAt(800, 4008) }), 66_560, true);
    expect(v.summary).toMatch(/^no frame size limit: a 65\.0 KiB frame was processed/);
  });
  it('an oversized frame that takes the server down fails even when the socket got 1009', () => {
    expect(judgeFrameSize(rec(closeAt(20, 1009)), 66_560, false).summary).toMatch(/stopped serving/);
  });
  it('a flood answered in full is "no rate limit" whatever closed the socket afterwards', () => {
    const frames = Array.from({ length: 300 }, (_, i) => pong(10 + i, 20));
    expect(judgeFlood(rec({ frames, ...closeAt(900, 4008) }), 300, 3).summary).toMatch(/^no rate limit/);
    expect(judgeFlood(rec({ frames: frames.slice(0, 40), ...closeAt(30, 1008) }), 300, 3).status).toBe('pass');
  });
});

describe('judgeNotEchoed', () => {
  it('finds the token in any header, e.g. a subprotocol echoed as bearer.<jwt>', () => {
    const v = judgeNotEchoed([{ record: rec({ way: 'subprotocol', headers: { 'sec-websocket-protocol': 'bearer.aaa.bbb.ccc' } }), token: 'aaa.bbb.ccc' }]);
    expect(v).toMatchObject({ status: 'fail', summary: expect.stringMatching(/sec-websocket-protocol \(via subprotocol\)/) });
    expect(judgeNotEchoed([{ record: rec({ headers: { 'sec-websocket-protocol': 'pulse.v1' } }), token: 'aaa.bbb.ccc' }]).status).toBe('pass');
  });
});
