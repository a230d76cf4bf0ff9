import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { ev, T0 } from '../../core/test-helpers/telemetry-events.ts';
import { telemetryFrameSchema, type TelemetryFrame } from '../../protocol/telemetry.ts';
import { createBusProbe } from './bus-probe.ts';

function setup(phaseMs = 0) {
  const clock = new FakeClock(T0 + 300);
  const frames: TelemetryFrame[] = [];
  const probe = createBusProbe({ bus: { publish: (f) => frames.push(f) }, gatewayId: 'gw-1', clock, phaseMs, run: 5 });
  return { clock, frames, probe };
}

describe('bus probe', () => {
  it('publishes one frame per whole second, empty or not, with contiguous seqs', () => {
    const { clock, frames, probe } = setup();
    probe.emit(ev.open(T0 + 310, 'r1', 't1', 'c1'));
    clock.advance(699); // T0 + 999: not yet
    expect(frames).toHaveLength(0);
    clock.advance(1); // T0 + 1000: the boundary
    expect(frames).toHaveLength(1);
    clock.advance(3000);
    expect(frames.map((f) => [f.seq, f.t - T0])).toEqual([[1, 1000], [2, 2000], [3, 3000], [4, 4000]]);
    expect(frames.map((f) => f.seconds.length)).toEqual([1, 0, 0, 0]);
    for (const f of frames) expect(telemetryFrameSchema.safeParse(f).success).toBe(true);
    expect(frames.every((f) => f.gw === 'gw-1' && f.run === 5)).toBe(true);
  });

  it('lifecycle events travel raw; heartbeats only as restaurant-seconds', () => {
    const { clock, frames, probe } = setup();
    const open = ev.open(T0 + 400, 'r1', 't1', 'c1');
    probe.emit(open);
    probe.emit(ev.beat(T0 + 500, 'r1', 't1', 'c1', true, 12));
    probe.emit(ev.beat(T0 + 600, 'r1', 't1', 'c1', true, 14));
    clock.advance(700);
    expect(frames[0]!.lifecycle).toEqual([open]);
    expect(frames[0]!.seconds).toHaveLength(1);
    expect(frames[0]!.seconds[0]).toMatchObject({ rid: 'r1', s: T0, opens: 1, hbOnTime: 2 });
  });

  it('flushes on the phase it is given', () => {
    const { clock, frames } = setup(20);
    clock.advance(719);
    expect(frames).toHaveLength(0);
    clock.advance(1);
    expect(frames[0]!.t).toBe(T0 + 1020);
  });

  it('stop() publishes what is left as the run\'s goodbye and leaves no timer behind', async () => {
    const { clock, frames, probe } = setup();
    clock.advance(700); // one ordinary frame first
    probe.emit(ev.open(T0 + 1400, 'r1', 't1', 'c1'));
    probe.emit(ev.close(T0 + 1450, 'r1', 't1', 'c1', 1001, 50, { byServer: true }));
    await probe.stop();
    expect(frames).toHaveLength(2);
    expect(frames[1]!.lifecycle.map((e) => e.type)).toEqual(['open', 'close']);
    // The last frame says goodbye, after everything else, in the run's sequence; no other does.
    expect(frames.map((f) => [f.seq, f.run, f.goodbye])).toEqual([[1, 5, undefined], [2, 5, true]]);
    expect(telemetryFrameSchema.parse(frames[1]).goodbye).toBe(true);
    expect(clock.pendingCount).toBe(0);
    clock.advance(5000);
    expect(frames).toHaveLength(2);
  });

  it('a failing bus is counted and does not stop later frames', async () => {
    const clock = new FakeClock(T0);
    let fail = true;
    const frames: TelemetryFrame[] = [];
    const errors: object[] = [];
    const probe = createBusProbe({
      bus: {
        publish: (f) => {
          if (fail) throw new Error('bus down');
          frames.push(f);
        },
      },
      gatewayId: 'gw-1',
      clock,
      logger: { error: (o) => errors.push(o) },
    });
    clock.advance(1000);
    fail = false;
    clock.advance(1000);
    expect(probe.stats()).toMatchObject({ published: 1, publishErrors: 1 });
    expect(frames.map((f) => f.seq)).toEqual([2]); // the hub sees a gap at 1: loss, counted there
    expect(errors).toHaveLength(1);
    await probe.stop();
  });
});
