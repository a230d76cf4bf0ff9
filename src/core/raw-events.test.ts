import { describe, expect, it } from 'vitest';
import { decodeRawEvent, type RawEvent } from '../protocol/ingest.ts';
import type { ProbeEvent } from '../protocol/probe-events.ts';
import { RawEventFolder } from './raw-events.ts';

const T0 = 1_700_000_000_000;
const make = () => new RawEventFolder({ gw: 'gw-py', run: 42, heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 });
const open = (t: number, conn = 'c1'): RawEvent => ({ type: 'open', t, conn, rid: 'r-001', tid: 'till-1', via: 'query' });

function fold(folder: RawEventFolder, events: RawEvent[]): { out: ProbeEvent[]; refused: string[] } {
  const out: ProbeEvent[] = [];
  const refused: string[] = [];
  for (const e of events) {
    const r = folder.apply(e, (p) => out.push(p));
    if (r) refused.push(r.code);
  }
  return { out, refused };
}

describe('RawEventFolder', () => {
  it('judges heartbeats on time against interval + grace since the previous ping or the open', () => {
    const { out } = fold(make(), [
      open(T0),
      { type: 'ping', t: T0 + 15_000, conn: 'c1', rtt: 12 },
      { type: 'ping', t: T0 + 35_000, conn: 'c1', rtt: 14 },
      { type: 'ping', t: T0 + 55_001, conn: 'c1', rtt: 16 },
    ]);
    const beats = out.filter((e) => e.type === 'heartbeat');
    expect(beats.map((b) => b.type === 'heartbeat' && [b.onTime, b.gapMs, b.rtt])).toEqual([
      [true, 15_000, 12],
      [true, 20_000, 14],
      [false, 20_001, 16],
    ]);
    expect(out[0]).toEqual({ type: 'open', gw: 'gw-py', t: T0, rid: 'r-001', tid: 'till-1', conn: 'gw-py/42/c1', via: 'query', heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 });
  });

  it('a pong adds no RTT sample: the figure is what terminals report, and a probe measures only its own leg', () => {
    const { out, refused } = fold(make(), [open(T0), { type: 'ping', t: T0 + 15_000, conn: 'c1' }, { type: 'pong', t: T0 + 15_004, conn: 'c1', rtt: 4 }]);
    expect(refused).toEqual([]);
    expect(out.filter((e) => e.type === 'heartbeat')).toEqual([expect.objectContaining({ t: T0 + 15_000, onTime: true })]);
    expect(out.some((e) => e.type === 'heartbeat' && e.rtt !== undefined)).toBe(false);
  });

  it('a ping the probe found with an implausible RTT passes it on as such, with no RTT sample (issue 18, item 1)', () => {
    const ping = decodeRawEvent({ type: 'ping', t: T0 + 15_000, conn: 'c1', implausibleRtt: 1e9 });
    expect(ping.ok).toBe(true);
    const { out, refused } = fold(make(), [open(T0), (ping as { event: RawEvent }).event]);
    expect(refused).toEqual([]);
    expect(out.filter((e) => e.type === 'heartbeat')).toEqual([{ type: 'heartbeat', gw: 'gw-py', t: T0 + 15_000, rid: 'r-001', tid: 'till-1', conn: 'gw-py/42/c1', onTime: true, gapMs: 15_000, implausibleRtt: 1e9 }]);
  });

  it("a ping's rtt is judged by the gateway's rule: beyond the interval (15 s here) it is implausible, the beat still counts", () => {
    const { out, refused } = fold(make(), [
      open(T0),
      { type: 'ping', t: T0 + 15_000, conn: 'c1', rtt: 15_000 },
      { type: 'ping', t: T0 + 30_000, conn: 'c1', rtt: 15_001 },
      { type: 'ping', t: T0 + 45_000, conn: 'c1', rtt: 0 },
    ]);
    expect(refused).toEqual([]);
    const beats = out.filter((e) => e.type === 'heartbeat');
    expect(beats.map((b) => b.type === 'heartbeat' && [b.onTime, b.rtt, b.implausibleRtt])).toEqual([
      [true, 15_000, undefined],
      [true, undefined, 15_001],
      [true, 0, undefined],
    ]);
  });

  it('closes carry cause, side and duration; a 1008 after a rate limit is rate_limited', () => {
    const { out } = fold(make(), [
      open(T0, 'a'),
      open(T0, 'b'),
      open(T0, 'c'),
      { type: 'close', t: T0 + 5000, conn: 'a', code: 4008, by: 'gateway', reason: 'Heartbeat timeout' },
      { type: 'limit', t: T0 + 6000, conn: 'b', kind: 'rate' },
      { type: 'close', t: T0 + 6000, conn: 'b', code: 1008, by: 'gateway' },
      { type: 'close', t: T0 + 7000, conn: 'c', code: 1006, by: 'terminal' },
    ]);
    const closes = out.filter((e) => e.type === 'close').map((e) => e.type === 'close' && [e.code, e.cause, e.byServer, e.durationMs]);
    expect(closes).toEqual([
      [4008, 'heartbeat_timeout', true, 5000],
      [1008, 'rate_limited', true, 6000],
      [1006, 'abnormal_close', false, 7000],
    ]);
  });

  it('refuses an event of a connection never opened, and a second open of the same one', () => {
    const { out, refused } = fold(make(), [{ type: 'ping', t: T0, conn: 'zz' }, open(T0), open(T0 + 1)]);
    expect(refused).toEqual(['UNKNOWN_CONNECTION', 'INVALID_MESSAGE']);
    expect(out.filter((e) => e.type === 'open')).toHaveLength(1);
  });

  it('a resumed open makes a connection known without counting an open', () => {
    const { out, refused } = fold(make(), [{ ...open(T0), resumed: true } as RawEvent, { type: 'ping', t: T0 + 15_000, conn: 'c1', rtt: 3 }]);
    expect(refused).toEqual([]);
    expect(out.map((e) => e.type)).toEqual(['heartbeat']);
  });

  it('traffic counts become per-direction events with their message counts', () => {
    const { out } = fold(make(), [open(T0), { type: 'traffic', t: T0 + 1, conn: 'c1', msgIn: 3, bytesIn: 120, msgOut: 2, bytesOut: 80 }]);
    expect(out.slice(1)).toMatchObject([
      { type: 'traffic', dir: 'in', messages: 3, bytes: 120 },
      { type: 'traffic', dir: 'out', messages: 2, bytes: 80 },
    ]);
  });

  it('auth failures keep their unverified labels and need no connection', () => {
    const { out } = fold(make(), [{ type: 'auth_fail', t: T0, reason: 'refused', rid: 'r-009', tid: 'till-3' }]);
    expect(out).toEqual([{ type: 'auth_fail', gw: 'gw-py', t: T0, reason: 'refused', claimedRid: 'r-009', claimedTid: 'till-3' }]);
    // Today's probes name them claimedRid/claimedTid; either way the event carries no rid on.
    const { out: named } = fold(make(), [{ type: 'auth_fail', t: T0, reason: 'bad_signature', claimedRid: 'r-005', claimedTid: 'x' }]);
    expect(named).toEqual([{ type: 'auth_fail', gw: 'gw-py', t: T0, reason: 'bad_signature', claimedRid: 'r-005', claimedTid: 'x' }]);
    expect(named[0]).not.toHaveProperty('rid');
  });
});
