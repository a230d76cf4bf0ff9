import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/clock.ts';
import { FleetState } from '../../core/fleet-state.ts';
import { createAggregator } from '../../core/probe-aggregator.ts';
import { ev, frame, M0 } from '../../core/test-helpers/telemetry-events.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import { createMemoryBus } from './memory-bus.ts';

describe('memory bus', () => {
  it('keeps each gateway in order across 3 interleaved publishers, and gives every subscriber everything', () => {
    const bus = createMemoryBus();
    const got: [TelemetryFrame[], TelemetryFrame[]] = [[], []];
    bus.subscribe((f) => got[0].push(f));
    bus.subscribe((f) => got[1].push(f));
    const random = seededRandom(9);
    const next = { 'gw-a': 1, 'gw-b': 1, 'gw-c': 1 };
    const gws = Object.keys(next) as (keyof typeof next)[];
    for (let i = 0; i < 300; i++) {
      const gw = gws[Math.floor(random() * 3)]!;
      bus.publish(frame(gw, next[gw]++, []));
    }
    for (const seen of got) {
      expect(seen).toHaveLength(300);
      for (const gw of gws) {
        const seqs = seen.filter((f) => f.gw === gw).map((f) => f.seq);
        expect(seqs).toEqual(Array.from({ length: next[gw] - 1 }, (_, i) => i + 1));
      }
    }
    expect(bus.stats()).toMatchObject({ published: 300, delivered: 600, subscribers: 2, backlog: 0, dropped: 0 });
    expect(bus.stats().gateways['gw-b']?.lastSeq).toBe(next['gw-b'] - 1);
  });

  it('keeps publish order when a handler publishes during delivery', () => {
    const bus = createMemoryBus();
    const order: string[] = [];
    bus.subscribe((f) => {
      order.push(`${f.gw}:${f.seq}`);
      if (f.gw === 'gw-a' && f.seq === 1) bus.publish(frame('gw-b', 1, []));
    });
    bus.subscribe((f) => order.push(`second saw ${f.gw}:${f.seq}`));
    bus.publish(frame('gw-a', 1, []));
    expect(order).toEqual(['gw-a:1', 'second saw gw-a:1', 'gw-b:1', 'second saw gw-b:1']);
  });

  it('redelivered frames are ignored by the fleet state: nothing counted twice', () => {
    const bus = createMemoryBus({ faults: { duplicate: (f) => f.seq % 2 === 1 } });
    const state = new FleetState();
    const results: string[] = [];
    bus.subscribe((f) => results.push(JSON.stringify(state.applyFrame(f))));
    const a = createAggregator({ gatewayId: 'gw-a', run: 1 });
    const b = createAggregator({ gatewayId: 'gw-b', run: 1 });
    for (let s = 0; s < 4; s++) {
      a.add(ev.open(M0 + s * 1000 + 10, 'r1', `t${s}`, `a${s}`, 'gw-a'));
      b.add(ev.open(M0 + s * 1000 + 20, 'r1', `u${s}`, `b${s}`, 'gw-b'));
      bus.publish(a.flush(M0 + (s + 1) * 1000));
      bus.publish(b.flush(M0 + (s + 1) * 1000));
    }
    expect(results.filter((r) => r === '"duplicate"')).toHaveLength(4);
    expect(bus.stats().redelivered).toBe(4);
    expect(state.stats()).toMatchObject({ frames: 8, duplicates: 4, lostFrames: 0, connections: 8 });
    expect(state.totalsOf('r1').opens).toBe(8);
  });

  it('a lost frame is counted by the bus and reported as a gap by the fleet state, per gateway', () => {
    const bus = createMemoryBus({ faults: { drop: (f) => f.gw === 'gw-b' && f.seq === 2 } });
    const state = new FleetState();
    const results: unknown[] = [];
    bus.subscribe((f) => results.push(state.applyFrame(f)));
    for (let seq = 1; seq <= 3; seq++) {
      bus.publish(frame('gw-a', seq, []));
      bus.publish(frame('gw-b', seq, []));
    }
    expect(results).toEqual(['applied', 'applied', 'applied', 'applied', { gap: 1 }]);
    expect(bus.stats().dropped).toBe(1);
    expect(state.gatewayStatus().map((g) => [g.gw, g.lostFrames])).toEqual([
      ['gw-a', 0],
      ['gw-b', 1],
    ]);
  });

  it('a throwing subscriber is counted and does not keep the frame from the others', () => {
    const errors: unknown[] = [];
    const bus = createMemoryBus({ onHandlerError: (e) => errors.push(e) });
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('consumer bug');
    });
    bus.subscribe((f) => got.push(f.seq));
    bus.publish(frame('gw-a', 1, []));
    bus.publish(frame('gw-a', 2, []));
    expect(got).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    expect(bus.stats().handlerErrors).toBe(2);
  });

  it('stops delivering to an unsubscribed handler, and refuses (and counts) frames after close', async () => {
    const bus = createMemoryBus();
    const got: number[] = [];
    const unsubscribe = bus.subscribe((f) => got.push(f.seq));
    bus.publish(frame('gw-a', 1, []));
    unsubscribe();
    bus.publish(frame('gw-a', 2, []));
    expect(got).toEqual([1]);
    await bus.close();
    bus.publish(frame('gw-a', 3, []));
    expect(bus.stats()).toMatchObject({ published: 2, dropped: 1, subscribers: 0 });
  });
});
