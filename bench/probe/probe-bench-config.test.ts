/** The probe bench's arithmetic: medians per mode, the ratio of the medians, the ratio of each pair. */
import { describe, expect, it } from 'vitest';
import { pairRatiosOf, summarize, type RunFigures } from './probe-bench-config.ts';

const run = (probe: 'on' | 'off', cpuPct: number, rss: number | null = null, target: 'node' | 'python' = 'node'): RunFigures => ({ target, probe, cpuPct, rssPerConnectionBytes: rss, held: 100, loadavgStart: 1 });

describe('probe bench summary', () => {
  it('pairs runs as they ran (on, off; off, on; …), whichever mode came first', () => {
    expect(pairRatiosOf([run('on', 3), run('off', 2), run('off', 4), run('on', 5)])).toEqual([1.5, 1.25]);
  });

  it('the ratio of the medians, the median of the pairs, and the probe\'s share of RSS per connection', () => {
    const runs = [run('on', 3, 5000), run('off', 2, 4000), run('off', 4, 4200), run('on', 5, 5400), run('on', 4.4, 5100), run('off', 4, 4100)];
    const s = summarize('node', runs)!;
    expect(s.cpuMedianPct).toEqual({ on: 4.4, off: 4 });
    expect(s.ratioOfMedians).toBe(1.1);
    expect(s.pairRatios).toEqual([1.5, 1.25, 1.1]);
    expect(s.medianPairRatio).toBe(1.25);
    expect(s.rssPerConnectionBytes).toEqual({ on: 5100, off: 4100 });
    expect(s.probeRssPerConnectionBytes).toBe(1000);
    expect(s.meetsCpuTarget).toBe(true);
  });

  it('holds each gateway to its own target, and says nothing for a mode that did not run', () => {
    const py = [run('on', 1.25, null, 'python'), run('off', 1, null, 'python')];
    expect(summarize('python', py)).toMatchObject({ ratioOfMedians: 1.25, targetCpuRatio: 1.3, meetsCpuTarget: true, probeRssPerConnectionBytes: null });
    expect(summarize('node', [run('on', 1.25), run('off', 1)])).toMatchObject({ targetCpuRatio: 1.2, meetsCpuTarget: false });
    expect(summarize('node', [run('on', 1)])).toBeNull();
  });
});
