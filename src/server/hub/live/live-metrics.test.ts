import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { LiveStats } from './live-server.ts';
import { registerLiveMetrics } from './live-metrics.ts';

describe('live metrics', () => {
  it('exposes the stream stats as read at scrape time', async () => {
    const stats: LiveStats = {
      epoch: 'e', seq: 9, viewers: 3, framesSent: 120, bytesSent: 4096, slowConsumersCut: 1, heartbeatTimeouts: 2,
      refusedToken: 4, refusedOrigin: 5, resumesReplayed: 6, resumesResynced: 7, tickErrors: 0, lastTickMs: 2.5, historyFrames: 9,
    };
    const registry = new Registry();
    registerLiveMetrics(registry, { stats: () => stats });
    let text = await registry.metrics();
    expect(text).toContain('pulse_live_viewers 3');
    expect(text).toContain('pulse_live_bytes_sent_total 4096');
    expect(text).toContain('pulse_live_slow_consumers_cut_total 1');
    expect(text).toContain('pulse_live_tick_seconds 0.0025');
    stats.framesSent = 150;
    text = await registry.metrics();
    expect(text).toContain('pulse_live_frames_sent_total 150');
  });
});
