import { describe, expect, it } from 'vitest';
import { telemetryFrameSchema } from '../protocol/telemetry.ts';
import { createAggregator } from './probe-aggregator.ts';
import { ev, hist, readable, second, T0 } from './test-helpers/telemetry-events.ts';

describe('probe aggregator', () => {
  it('turns 3 restaurants over 3 seconds into exactly these frames', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 7 });
    const second0 = [
      ev.open(T0 + 100, 'r1', 't1', 'c1'),
      ev.open(T0 + 200, 'r1', 't2', 'c2'),
      ev.open(T0 + 300, 'r2', 't3', 'c3'),
      ev.beat(T0 + 400, 'r1', 't1', 'c1', true, 12),
      ev.traffic(T0 + 500, 'r1', 't1', 'c1', 'in', 40),
      ev.traffic(T0 + 510, 'r1', 't1', 'c1', 'out', 20),
      ev.authFail(T0 + 600, 'r3'),
      ev.authFail(T0 + 700),
    ];
    second0.forEach(agg.add);
    const f1 = agg.flush(T0 + 1000);

    const seconds1and2 = [
      ev.beat(T0 + 1100, 'r1', 't2', 'c2', false, 30),
      ev.beat(T0 + 1150, 'r1', 't1', 'c1', true),
      ev.ack(T0 + 1200, 'r2', 't3', 'c3', 45),
      ev.limit(T0 + 1300, 'r2', 't3', 'c3', 'rate'),
      ev.close(T0 + 1310, 'r2', 't3', 'c3', 1008, 1010, { byServer: true, cause: 'rate_limited' }),
      ev.close(T0 + 1400, 'r1', 't1', 'c1', 1006, 1300),
      ev.open(T0 + 1900, 'r1', 't1', 'c4'), // t1 comes back 500 ms after its close: a reconnect
      // No flush between: r1's next event seals its second 1 by itself.
      ev.beat(T0 + 2050, 'r1', 't1', 'c4', true, 8),
      ev.open(T0 + 2100, 'r3', 't5', 'c5'),
      ev.close(T0 + 2500, 'r1', 't2', 'c2', 1000, 2300),
    ];
    seconds1and2.forEach(agg.add);
    const f2 = agg.flush(T0 + 3000);
    const f3 = agg.flush(T0 + 4000);

    expect({ ...f1, seconds: f1.seconds.map(readable) }).toEqual({
      v: 1,
      gw: 'gw-a',
      run: 7,
      seq: 1,
      t: T0 + 1000,
      seconds: [
        second('r1', T0, {
          opens: 2,
          hbOnTime: 1,
          msgIn: 1,
          bytesIn: 40,
          msgOut: 1,
          bytesOut: 20,
          conns: { last: 2, min: 0, max: 2 },
          rtt: hist(12),
          beats: [{ tid: 't1', conn: 'c1', t: T0 + 400, rtt: 12, onTime: true }],
        }),
        second('r2', T0, { opens: 1, conns: { last: 1, min: 0, max: 1 } }),
      ],
      lifecycle: [second0[0], second0[1], second0[2], second0[6], second0[7]],
    });

    expect({ ...f2, seconds: f2.seconds.map(readable) }).toEqual({
      v: 1,
      gw: 'gw-a',
      run: 7,
      seq: 2,
      t: T0 + 3000,
      seconds: [
        second('r1', T0 + 1000, {
          opens: 1,
          reconnects: 1,
          closes: { 1006: 1 },
          errors: { abnormal_close: 1 },
          hbOnTime: 1,
          hbLate: 1,
          conns: { last: 2, min: 1, max: 2 },
          rtt: hist(30),
          duration: hist(1300),
          beats: [
            { tid: 't2', conn: 'c2', t: T0 + 1100, rtt: 30, onTime: false },
            { tid: 't1', conn: 'c1', t: T0 + 1150, onTime: true },
          ],
        }),
        second('r1', T0 + 2000, {
          hbOnTime: 1,
          closes: { 1000: 1 },
          conns: { last: 1, min: 1, max: 2 },
          rtt: hist(8),
          duration: hist(2300),
          beats: [{ tid: 't1', conn: 'c4', t: T0 + 2050, rtt: 8, onTime: true }],
        }),
        second('r2', T0 + 1000, {
          closes: { 1008: 1 },
          errors: { rate_limited: 1 },
          limits: { rate: 1 },
          conns: { last: 0, min: 0, max: 1 },
          latency: hist(45),
          duration: hist(1010),
        }),
        second('r3', T0 + 2000, { opens: 1, conns: { last: 1, min: 0, max: 1 } }),
      ],
      lifecycle: [
        // The late heartbeat travels raw as well as counted; the on-time ones are only counted.
        { type: 'heartbeat_late', gw: seconds1and2[0]!.gw, t: T0 + 1100, rid: 'r1', tid: 't2', conn: 'c2', gapMs: 15_000, rtt: 30 },
        seconds1and2[3],
        seconds1and2[4],
        seconds1and2[5],
        seconds1and2[6],
        seconds1and2[8],
        seconds1and2[9],
      ],
    });

    // A quiet second still yields a frame: the hub must tell an idle gateway from a dead one.
    expect(f3).toEqual({ v: 1, gw: 'gw-a', run: 7, seq: 3, t: T0 + 4000, seconds: [], lifecycle: [] });
    for (const f of [f1, f2, f3]) expect(telemetryFrameSchema.safeParse(JSON.parse(JSON.stringify(f))).success).toBe(true);
  });

  it('never lets the gauge go below zero, nor counts a close it never saw open as leaving', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 1 });
    agg.add(ev.close(T0 + 10, 'r1', 't1', 'ghost', 1006, 5));
    const [s] = agg.flush(T0 + 1000).seconds;
    expect(s?.conns).toEqual({ last: 0, min: 0, max: 0 });
  });

  it('adopts a connection first seen by its heartbeat, counting it in the gauge once', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 1 });
    agg.add(ev.beat(T0 + 10, 'r1', 't1', 'c1', true, 5));
    agg.add(ev.beat(T0 + 20, 'r1', 't1', 'c1', true, 6));
    const [s] = agg.flush(T0 + 1000).seconds;
    expect(s?.conns).toEqual({ last: 1, min: 0, max: 1 });
    expect(s?.beats).toEqual([{ tid: 't1', conn: 'c1', t: T0 + 20, rtt: 6, onTime: true }]);
    expect(agg.stats().connections).toBe(1);
  });

  it('counts an event whose clock stepped back in the open second, and keeps per-restaurant histograms apart', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 1 });
    agg.add(ev.beat(T0 + 2_100, 'r1', 't1', 'c1', true, 10));
    agg.add(ev.beat(T0 + 1_900, 'r1', 't1', 'c1', true, 20));
    agg.add(ev.beat(T0 + 2_200, 'r2', 't2', 'c2', true, 500));
    const f = agg.flush(T0 + 3_000);
    expect(f.seconds.map(readable).map((s) => [s.rid, s.s, s.hbOnTime, s.rtt])).toEqual([
      ['r1', T0 + 2_000, 2, hist(10, 20)],
      ['r2', T0 + 2_000, 1, hist(500)],
    ]);
  });

  it('reuses histograms across seconds without leaking counts from one into the next', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 1 });
    for (let sec = 0; sec < 5; sec++) {
      for (let i = 0; i < 10; i++) agg.add(ev.beat(T0 + sec * 1000 + i, 'r1', 't1', 'c1', true, 1 + sec));
      const [s] = agg.flush(T0 + sec * 1000 + 999).seconds.map(readable);
      expect(s?.rtt).toEqual(hist(...Array<number>(10).fill(1 + sec)));
    }
  });
});

describe('refused tokens (issue 18, item 9)', () => {
  it('200 refused tokens naming new rids and a real one create no restaurant and count in none', () => {
    const agg = createAggregator({ gatewayId: 'gw-a', run: 1 });
    agg.add(ev.open(T0, 'r-005', 'r-005-t1', 'c1'));
    for (let i = 0; i < 200; i++) agg.add(ev.authFail(T0 + i, i % 2 ? `r-new-${i}` : 'r-005'));
    const frame = agg.flush(T0 + 1000);
    expect(frame.seconds.map((s) => s.rid)).toEqual(['r-005']);
    expect(frame.seconds[0]?.errors).toEqual({});
    expect(agg.stats().restaurants).toBe(1);
    // They travel raw, fleet-wide: the hub counts them all.
    expect(frame.lifecycle.filter((e) => e.type === 'auth_fail')).toHaveLength(200);
  });
});

describe('implausible RTT reports (issue 18, item 1)', () => {
  it('are no RTT sample, travel raw as one rtt_implausible record per connection-second, and the frame stays valid', () => {
    const agg = createAggregator({ gatewayId: 'gw-test', run: 1 });
    const bogus = (t: number, conn: string, rtt: number) => ({ ...ev.beat(t, 'r1', `${conn}-t`, conn, true), implausibleRtt: rtt });
    agg.add(ev.open(T0, 'r1', 'a-t', 'a'));
    agg.add(ev.open(T0, 'r1', 'b-t', 'b'));
    agg.add(bogus(T0 + 100, 'a', 1e9));
    agg.add(bogus(T0 + 200, 'b', -5));
    agg.add(bogus(T0 + 900, 'a', 1e308));
    agg.add(bogus(T0 + 1_100, 'a', 2e9)); // the next second: a record of its own
    const first = agg.flush(T0 + 1_500);
    agg.add(bogus(T0 + 1_600, 'a', 3e9)); // same second, next frame: a new record (the last one left)
    const second = agg.flush(T0 + 2_500);
    expect(telemetryFrameSchema.safeParse(first).success).toBe(true);
    const records = (f: typeof first) => f.lifecycle.filter((e) => e.type === 'rtt_implausible').map((e) => e.type === 'rtt_implausible' && [e.conn, e.t, e.rtt, e.count]);
    expect(records(first)).toEqual([
      ['a', T0 + 900, 1e308, 2],
      ['b', T0 + 200, -5, 1],
      ['a', T0 + 1_100, 2e9, 1],
    ]);
    expect(records(second)).toEqual([['a', T0 + 1_600, 3e9, 1]]);
    expect(first.seconds.every((s) => s.rtt === undefined && s.beats.every((b) => b.rtt === undefined))).toBe(true);
  });
});
