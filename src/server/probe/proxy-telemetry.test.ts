/**
 * The proxy's observer, driven as the proxy drives it: the raw events it makes from what a
 * terminal and a gateway say, with and without the signing secret.
 */
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../protocol/ingest.ts';
import { signTerminalToken } from '../auth/tokens.ts';
import type { ProxiedUpgrade } from '../proxy/proxy-observer.ts';
import { createProxyTelemetry } from './proxy-telemetry.ts';

const secret = 'proxy-telemetry-secret-0123456789';
const T0 = 1_700_000_000_000;
const token = signTerminalToken(secret, 'till-1', 'r-001');
const upgrade = (over: Partial<ProxiedUpgrade> = {}): ProxiedUpgrade => ({ conn: 'p1', t: T0, path: '/ws', token, via: 'query', remoteAddress: '127.0.0.1', ...over });
const text = (o: object) => Buffer.from(JSON.stringify(o));

function setup(withSecret: boolean) {
  const events: RawEvent[] = [];
  const telemetry = createProxyTelemetry({ push: (e) => events.push(e), ...(withSecret ? { secret } : {}) });
  return { events, telemetry };
}

describe('proxy telemetry', () => {
  it('with the secret: the open at once, pings with rtt, pongs with the measured round trip, acks by seq, the close by side', () => {
    const { events, telemetry } = setup(true);
    const c = telemetry.upgrade(upgrade());
    c.opened(T0 + 2, '');
    c.message(T0 + 100, 'in', text({ type: 'ping', seq: 4, timestamp: 1, rtt: 12 }), false);
    c.message(T0 + 107, 'out', text({ type: 'pong', seq: 4, timestamp: 1 }), false);
    c.message(T0 + 200, 'out', text({ type: 'order', seq: 9, timestamp: 1, restaurantId: 'r-001', order: { id: 'o', status: 'open' } }), false);
    c.message(T0 + 230, 'in', text({ type: 'ack', seq: 9, timestamp: 1 }), false);
    c.closed(T0 + 5000, 1000, 'bye', 'terminal');
    expect(events.map((e) => e.type)).toEqual(['open', 'ping', 'pong', 'ack', 'traffic', 'close']);
    expect(events[0]).toEqual({ type: 'open', t: T0, conn: 'p1', rid: 'r-001', tid: 'till-1', via: 'query', verified: true });
    expect(events[1]).toEqual({ type: 'ping', t: T0 + 100, conn: 'p1', rtt: 12 });
    expect(events[2]).toEqual({ type: 'pong', t: T0 + 107, conn: 'p1', rtt: 7 });
    expect(events[3]).toEqual({ type: 'ack', t: T0 + 230, conn: 'p1', seq: 9, latency: 30 });
    expect(events[4]).toMatchObject({ type: 'traffic', msgIn: 2, msgOut: 2 });
    expect(events[5]).toEqual({ type: 'close', t: T0 + 5000, conn: 'p1', code: 1000, reason: 'bye', by: 'terminal' });
  });

  it('without the secret: the open waits for the gateway to speak, and comes with its handshake time, before the pings', () => {
    const { events, telemetry } = setup(false);
    const c = telemetry.upgrade(upgrade());
    c.opened(T0 + 2, '');
    c.message(T0 + 15_000, 'in', text({ type: 'ping', seq: 0, timestamp: 1 }), false);
    expect(events).toEqual([]);
    c.message(T0 + 15_004, 'out', text({ type: 'pong', seq: 0, timestamp: 1 }), false);
    expect(events.map((e) => [e.type, e.t])).toEqual([
      ['open', T0],
      ['ping', T0 + 15_000],
      ['pong', T0 + 15_004],
    ]);
    expect(events[0]).toMatchObject({ verified: false, rid: 'r-001', tid: 'till-1' });
  });

  it('without the secret: a 4001 from the gateway before it spoke is a refused token, not an open', () => {
    const { events, telemetry } = setup(false);
    const c = telemetry.upgrade(upgrade({ token: signTerminalToken('another-secret-0123456789', 'till-2', 'r-002') }));
    c.opened(T0 + 2, '');
    c.message(T0 + 3, 'in', text({ type: 'ping', seq: 0, timestamp: 1 }), false);
    c.closed(T0 + 5, 4001, 'Invalid token', 'upstream');
    expect(events).toEqual([{ type: 'auth_fail', t: T0, conn: 'p1', reason: 'refused', claimedRid: 'r-002', claimedTid: 'till-2' }]);
    expect(telemetry.openConnections()).toEqual([]);
  });

  it('with the secret: a forged token is labelled with why it failed', () => {
    const { events, telemetry } = setup(true);
    const c = telemetry.upgrade(upgrade({ token: signTerminalToken('another-secret-0123456789', 'till-2', 'r-002') }));
    c.opened(T0 + 2, '');
    c.closed(T0 + 5, 4001, 'Invalid token', 'upstream');
    expect(events).toEqual([{ type: 'auth_fail', t: T0, conn: 'p1', reason: 'bad_signature', claimedRid: 'r-002', claimedTid: 'till-2' }]);
  });

  it('a gateway 1009 or 1008 close is reported as a limit first; a rate-limit error makes the 1008 a rate limit', () => {
    const { events, telemetry } = setup(true);
    const a = telemetry.upgrade(upgrade({ conn: 'a' }));
    a.opened(T0, '');
    a.closed(T0 + 1, 1009, 'too big', 'upstream');
    const b = telemetry.upgrade(upgrade({ conn: 'b' }));
    b.opened(T0, '');
    b.message(T0 + 1, 'out', text({ type: 'error', seq: 0, timestamp: 1, code: 'RATE_LIMITED', message: 'x' }), false);
    b.closed(T0 + 2, 1008, 'rate', 'upstream');
    expect(events.filter((e) => e.type === 'limit').map((e) => e.type === 'limit' && [e.conn, e.kind])).toEqual([
      ['a', 'size'],
      ['b', 'rate'],
    ]);
  });

  it('an implausible rtt goes as implausibleRtt, for the hub to count (the ping still counts); binary and large frames are only counted', () => {
    const { events, telemetry } = setup(true);
    const c = telemetry.upgrade(upgrade());
    c.opened(T0, '');
    c.message(T0 + 1, 'in', text({ type: 'ping', seq: 0, timestamp: 1, rtt: 1e9 }), false);
    c.message(T0 + 2, 'in', Buffer.from(JSON.stringify({ type: 'ping' })), true);
    c.message(T0 + 3, 'in', Buffer.from('{"type":"ping","pad":"' + 'x'.repeat(5000) + '"}'), false);
    expect(events.filter((e) => e.type === 'ping')).toEqual([{ type: 'ping', t: T0 + 1, conn: 'p1', implausibleRtt: 1e9 }]);
    expect(telemetry.stats().implausibleRtt).toBe(1);
  });

  it('an ack latency the clock made impossible (negative, over an hour) is no ack event, as on the reference gateway', () => {
    const { events, telemetry } = setup(true);
    const c = telemetry.upgrade(upgrade());
    c.opened(T0, '');
    const order = (seq: number) => text({ type: 'order', seq, timestamp: 1, restaurantId: 'r-001', order: { id: 'o', status: 'open' } });
    c.message(T0 + 500, 'out', order(1), false);
    c.message(T0 + 400, 'in', text({ type: 'ack', seq: 1, timestamp: 1 }), false); // the clock stepped back
    c.message(T0 + 600, 'out', order(2), false);
    c.message(T0 + 600 + 3_600_001, 'in', text({ type: 'ack', seq: 2, timestamp: 1 }), false);
    c.message(T0 + 3_700_000, 'out', order(3), false);
    c.message(T0 + 3_700_040, 'in', text({ type: 'ack', seq: 3, timestamp: 1 }), false);
    // Before: latency 0 and 3,600,000, two fake samples.
    expect(events.filter((e) => e.type === 'ack')).toEqual([{ type: 'ack', t: T0 + 3_700_040, conn: 'p1', seq: 3, latency: 40 }]);
  });

  it('re-announces the connections it reported open, as resumed', () => {
    const { telemetry } = setup(true);
    telemetry.upgrade(upgrade({ conn: 'a' })).opened(T0, '');
    const b = telemetry.upgrade(upgrade({ conn: 'b' }));
    b.opened(T0, '');
    b.closed(T0 + 1, 1000, '', 'terminal');
    expect(telemetry.openConnections()).toEqual([{ type: 'open', t: T0, conn: 'a', rid: 'r-001', tid: 'till-1', via: 'query', verified: true, resumed: true }]);
  });

  it('a connection with no token that the gateway serves is counted as unidentified, not guessed', () => {
    const { events, telemetry } = setup(false);
    const c = telemetry.upgrade(upgrade({ token: undefined, via: 'none' }));
    c.opened(T0, '');
    c.message(T0 + 1, 'out', text({ type: 'hello' }), false);
    c.closed(T0 + 2, 1000, '', 'terminal');
    expect(events).toEqual([]);
    expect(telemetry.stats().unidentified).toBe(1);
  });
});
