import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../core/fake-clock.ts';
import { createLiveServer } from './live-server.ts';
import { FakeLiveSource } from './test-helpers/fake-live-source.ts';
import { testSecret } from './test-helpers/live-harness.ts';

describe('live ticks (fake clock)', () => {
  it('ticks once per tickMs and keeps the bounded history', async () => {
    const clock = new FakeClock();
    const source = new FakeLiveSource();
    source.set('r-1');
    const live = createLiveServer({ secret: testSecret, source, clock, allowedOrigins: [], tickMs: 1000, historyFrames: 4 });
    expect(live.stats().seq).toBe(0);
    clock.advance(999);
    expect(live.stats().seq).toBe(0);
    clock.advance(1);
    expect(live.stats().seq).toBe(1);
    clock.advance(9_000);
    expect(live.stats()).toMatchObject({ seq: 10, historyFrames: 4 });
    await live.close();
    expect(clock.pendingCount).toBe(0);
  });

  it('keeps ticks on their grid after a tick more than one tick late (no drift off the probes\' flushes)', async () => {
    const start = 1_700_000_000_020; // 20 ms after a whole second, as the hub phases them
    const clock = new FakeClock(start);
    const source = new FakeLiveSource();
    const at: number[] = [];
    source.onSample = () => {
      at.push(clock.now());
      // The third tick's sample blocks the loop for 2.5 s (a long GC pause, a huge fleet).
      if (at.length === 4) clock.advance(2_500);
    };
    const live = createLiveServer({ secret: testSecret, source, clock, allowedOrigins: [], tickMs: 1000 });
    clock.advance(8_000);
    // Sample 0 is the stream's seed (at start); ticks follow at +1, +2, +3 s; the one at +3 s ends at
    // +5.5 s, so +4 and +5 are skipped (no burst) and the next is +6 s — on the grid, not +6.5 s.
    expect(at.map((t) => t - start)).toEqual([0, 1_000, 2_000, 3_000, 6_000, 7_000, 8_000]);
    await live.close();
  });

  it('skips a tick whose source fails, without a hole in the seqs, and recovers', async () => {
    const clock = new FakeClock();
    const source = new FakeLiveSource();
    let failing = false;
    source.onSample = () => {
      if (failing) throw new Error('fleet state unavailable');
    };
    const logged: string[] = [];
    const logger = { info() {}, warn() {}, error: (_: object, msg: string) => void logged.push(msg) };
    const live = createLiveServer({ secret: testSecret, source, clock, allowedOrigins: [], tickMs: 100, logger });
    clock.advance(200);
    failing = true;
    clock.advance(300);
    expect(live.stats()).toMatchObject({ seq: 2, tickErrors: 3 });
    expect(logged).toHaveLength(3);
    failing = false;
    clock.advance(100);
    expect(live.stats().seq).toBe(3);
    await live.close();
  });
});
