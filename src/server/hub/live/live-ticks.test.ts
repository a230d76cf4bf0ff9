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
