/**
 * The open ingest's service on a fake clock: batches become the same telemetry frames the bus
 * carries, invalid events are refused one by one with a code while the rest is kept, duplicates
 * are answered and not applied, late batches fill their gap, a busy hub takes nothing.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.ts';
import { INGEST_VERSION, type RawEvent } from '../../../protocol/ingest.ts';
import type { TelemetryFrame } from '../../../protocol/telemetry.ts';
import { createIngestService } from './ingest-service.ts';

const T0 = 1_700_000_000_000;

function setup(busy = () => false) {
  const clock = new FakeClock(T0);
  const service = createIngestService({ clock, heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000, busy });
  const frames: TelemetryFrame[] = [];
  service.subscribe((f) => frames.push(f));
  return { clock, service, frames };
}

const batch = (seq: number, events: unknown[], extra: object = {}) => JSON.stringify({ v: INGEST_VERSION, gw: 'gw-py', run: 7, seq, t: T0, events, ...extra });
const open = (conn: string, t = T0 + 10): RawEvent => ({ type: 'open', t, conn, rid: 'r-001', tid: `till-${conn}`, via: 'query' });

describe('ingest service', () => {
  it('folds a batch into the next whole-second frame, as the reference probe would', () => {
    const { clock, service, frames } = setup();
    const answer = service.accept('gw-py', batch(1, [open('a'), { type: 'ping', t: T0 + 20, conn: 'a', rtt: 9 }]));
    expect(answer).toEqual({ type: 'ack', seq: 1, accepted: 2, refused: [] });
    expect(frames).toHaveLength(0);
    clock.advance(1000);
    expect(frames).toHaveLength(1);
    const [frame] = frames;
    expect(frame).toMatchObject({ gw: 'gw-py', seq: 1, lifecycle: [{ type: 'open', rid: 'r-001', tid: 'till-a' }] });
    // A ping 10 ms after the open answers no heartbeat interval (issue 18, item 12): not on time yet.
    expect(frame!.seconds[0]).toMatchObject({ rid: 'r-001', opens: 1, hbOnTime: 0, conns: { last: 1 } });
    // A quiet gateway makes no frames: the hub's health then says it went silent.
    clock.advance(3000);
    expect(frames).toHaveLength(1);
  });

  it('a batch spanning seconds becomes a frame per second, as the reference probe would have sent them', () => {
    const { clock, service, frames } = setup();
    service.accept('gw-py', batch(1, [open('a', T0 + 10), { type: 'ping', t: T0 + 1200, conn: 'a', rtt: 4 }, { type: 'ping', t: T0 + 2300, conn: 'a', rtt: 5 }]));
    expect(frames.map((f) => f.seconds.map((x) => x.s))).toEqual([[T0], [T0 + 1000]]);
    clock.advance(1000);
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    expect(frames[2]!.seconds.map((x) => x.s)).toEqual([T0 + 2000]);
  });

  it('refuses invalid events with their codes and keeps the valid rest', () => {
    const { service } = setup();
    const answer = service.accept('gw-py', batch(1, [open('a'), { type: 'ping', t: T0 + 20, conn: 'a', rtt: 1e9 }, { type: 'teleport', t: T0 }, { type: 'ping', t: T0 + 30, conn: 'nope' }, { type: 'ping', t: T0 + 40, conn: 'a', rtt: 5 }]));
    expect(answer).toMatchObject({ type: 'ack', accepted: 2, refused: [{ i: 1, code: 'INVALID_MESSAGE' }, { i: 2, code: 'UNKNOWN_TYPE' }, { i: 3, code: 'UNKNOWN_CONNECTION' }] });
    expect(service.stats().get('gw-py')).toMatchObject({ events: 2, refusedEvents: 3, refusedByCode: { INVALID_MESSAGE: 1, UNKNOWN_TYPE: 1, UNKNOWN_CONNECTION: 1 } });
  });

  it('answers a duplicate without applying it; a late batch fills its gap; loss is counted', () => {
    const { clock, service, frames } = setup();
    service.accept('gw-py', batch(1, [open('a')]));
    expect(service.accept('gw-py', batch(1, [open('b')]))).toMatchObject({ duplicate: true, accepted: 0 });
    service.accept('gw-py', batch(4, [open('d')]));
    expect(service.stats().get('gw-py')).toMatchObject({ lost: 2, duplicates: 1 });
    expect(service.accept('gw-py', batch(3, [open('c')]))).toMatchObject({ late: true, accepted: 1 });
    expect(service.stats().get('gw-py')).toMatchObject({ lost: 1, late: 1 });
    clock.advance(1000);
    expect(frames.flatMap((f) => f.lifecycle).map((e) => 'tid' in e && e.tid)).toEqual(['till-a', 'till-d', 'till-c']);
  });

  it('refuses a batch for another gateway id, a malformed envelope and an oversized batch, whole', () => {
    const { service } = setup();
    expect(service.accept('gw-other', batch(1, [open('a')]))).toMatchObject({ type: 'error', code: 'WRONG_GATEWAY', seq: 1 });
    expect(service.accept('gw-py', '{not json')).toMatchObject({ type: 'error', code: 'NOT_JSON' });
    expect(service.accept('gw-py', JSON.stringify({ v: 99, gw: 'gw-py', run: 1, seq: 1, t: T0, events: [] }))).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
    expect(service.accept('gw-py', batch(2, Array.from({ length: 5001 }, () => ({}))))).toMatchObject({ type: 'error', code: 'TOO_LARGE', seq: 2 });
    expect(service.accept('gw-py', batch(3, [{ type: 'x', pad: 'x'.repeat(1 << 20) }]))).toMatchObject({ type: 'error', code: 'TOO_LARGE' });
  });

  it('a busy hub takes nothing and says when to resend; the resend is then taken, not a duplicate', () => {
    let busy = true;
    const { service } = setup(() => busy);
    expect(service.accept('gw-py', batch(1, [open('a')]))).toEqual({ type: 'busy', seq: 1, retryAfterMs: 1000 });
    busy = false;
    expect(service.accept('gw-py', batch(1, [open('a')]))).toEqual({ type: 'ack', seq: 1, accepted: 1, refused: [] });
  });

  it('a new probe run starts a new aggregator run, so the fleet state drops the old run\'s connections', () => {
    const { clock, service, frames } = setup();
    service.accept('gw-py', batch(1, [open('a')]));
    clock.advance(1000);
    service.accept('gw-py', JSON.stringify({ v: INGEST_VERSION, gw: 'gw-py', run: 8, seq: 1, t: T0 + 1000, events: [open('a', T0 + 1100)] }));
    clock.advance(1000);
    expect(frames).toHaveLength(2);
    expect(frames[1]!.run).toBeGreaterThan(frames[0]!.run);
    expect(frames[1]!.seq).toBe(1);
  });

  it('a goodbye batch is folded and flushed at once as a goodbye frame; later batches of its run are refused, a resend is a duplicate', () => {
    const { clock, service, frames } = setup();
    service.accept('gw-py', batch(1, [open('a')]));
    clock.advance(1000);
    const bye = service.accept('gw-py', batch(2, [{ type: 'close', t: T0 + 1500, conn: 'a', code: 1001, by: 'gateway' }], { goodbye: true }));
    expect(bye).toEqual({ type: 'ack', seq: 2, accepted: 1, refused: [] });
    // At once, not at the next whole second: the run is over.
    expect(frames.map((f) => [f.seq, f.goodbye, f.lifecycle.map((e) => e.type)])).toEqual([[1, undefined, ['open']], [2, true, ['close']]]);
    expect(service.accept('gw-py', batch(2, [], { goodbye: true }))).toMatchObject({ type: 'ack', duplicate: true });
    expect(service.accept('gw-py', batch(3, [open('b')]))).toMatchObject({ type: 'error', seq: 3, code: 'INVALID_MESSAGE' });
    clock.advance(5000);
    expect(frames).toHaveLength(2); // nothing after the goodbye
    // A new run of the probe starts afresh.
    expect(service.accept('gw-py', JSON.stringify({ v: INGEST_VERSION, gw: 'gw-py', run: 8, seq: 1, t: T0 + 7000, events: [open('a', T0 + 7000)] }))).toMatchObject({ type: 'ack', accepted: 1 });
    clock.advance(1000);
    expect(frames).toHaveLength(3);
    expect(frames[2]!.goodbye).toBeUndefined();
  });
});
