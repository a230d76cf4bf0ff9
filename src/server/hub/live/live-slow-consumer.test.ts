import { afterEach, describe, expect, it } from 'vitest';
import type { DeltaFrame } from '../../../protocol/live.ts';
import { FakeLiveSource } from './test-helpers/fake-live-source.ts';
import { connectViewer, startLive, until, viewerToken, type LiveHarness, type TestViewer } from './test-helpers/live-harness.ts';

let harness: LiveHarness | undefined;
const viewers: TestViewer[] = [];
afterEach(async () => {
  await Promise.all(viewers.splice(0).map((v) => v.close()));
  await harness?.close();
  harness = undefined;
});

describe('a slow consumer', () => {
  it('is cut with 1013 while another viewer keeps receiving every delta on time', async () => {
    // 1,500 restaurants changing every tick: ~300 KB a delta, enough to fill the kernel's socket
    // buffers of a reader that stopped reading within a second.
    const source = new FakeLiveSource();
    const rids = Array.from({ length: 1500 }, (_, i) => `r-${String(i).padStart(4, '0')}`);
    source.onSample = (n) => {
      for (const rid of rids) source.set(rid, { connections: n % 9, reconnectsPerMin: (n % 13) / 10 });
    };
    harness = await startLive({ source, tickMs: 100, maxBufferedBytes: 64 * 1024, closeGraceMs: 10_000 });
    const slow = connectViewer(harness.baseUrl, { token: viewerToken('support'), validate: false });
    const fast = connectViewer(harness.baseUrl, { token: viewerToken('support'), validate: false });
    viewers.push(slow, fast);
    await Promise.all([slow.waitFor((f) => f.type === 'snapshot'), fast.waitFor((f) => f.type === 'snapshot')]);
    slow.ws.pause();
    const pausedAt = Date.now();

    await until(() => harness!.live.stats().slowConsumersCut === 1, 8_000, 'the slow viewer to be cut');
    const cutAfterMs = Date.now() - pausedAt;
    const hubSeqAtCut = harness.live.stats().seq;
    expect(harness.live.stats().viewers).toBe(1);
    // The other viewer was served all along: it holds (nearly) every tick the hub made meanwhile.
    await until(() => fast.stream().at(-1)!.seq >= hubSeqAtCut - 1, 1_000, 'the fast viewer to be current');

    // The close frame waits behind what was queued; the viewer reads it once it reads again.
    slow.ws.resume();
    expect((await slow.closed).code).toBe(1013);

    const seen = fast.stream().length;
    await fast.waitForCount('delta', seen + 5, 3_000);
    const deltas = fast.frames.filter((f): f is DeltaFrame => f.type === 'delta');
    deltas.forEach((d, i) => i > 0 && expect(d.seq).toBe(deltas[i - 1]!.seq + 1));
    // On time: a tick every 100 ms while the slow one stalled, each delta arriving soon after its
    // tick (bounds generous for a loaded 2-core machine; a hub waiting on the stalled viewer would
    // fall behind by seconds and stop at the cut).
    const lags = fast.frames.map((f, i) => (f.type === 'delta' ? fast.arrivedAt[i]! - f.t : 0)).sort((a, b) => a - b);
    expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(250);
    expect(lags.at(-1)).toBeLessThan(2_000);
    expect(deltas.length).toBeGreaterThanOrEqual(Math.floor(cutAfterMs / 100 / 2));
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
  });
});
