/**
 * What the bench reads through the Chrome DevTools Protocol: the JS heap after a forced GC, and the
 * renderer's cumulative main-thread time (all work — script, style, layout, GC — not only the part
 * the SPA times itself). Not the Network domain: it would copy every stream payload out of the
 * renderer on its main thread (see page-probes.ts for how bytes are counted instead).
 */
import type { CDPSession } from 'playwright-core';
import type { CpuProfile } from './cpu-profile.ts';

export interface HeapSample {
  usedBytes: number;
  domNodes: number;
  listeners: number;
}

export interface MainThreadTotals {
  /** Seconds of main-thread work since the renderer started, by kind. */
  task: number;
  script: number;
  layout: number;
  style: number;
}

export class CdpRecorder {
  private constructor(private readonly cdp: CDPSession) {}

  static async attach(cdp: CDPSession): Promise<CdpRecorder> {
    await cdp.send('Performance.enable');
    await cdp.send('HeapProfiler.enable');
    return new CdpRecorder(cdp);
  }

  async metrics(): Promise<Record<string, number>> {
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  }

  /** Heap used after a full GC: what the page holds, not what it has yet to collect. */
  async heapAfterGc(): Promise<HeapSample> {
    await this.cdp.send('HeapProfiler.collectGarbage');
    const m = await this.metrics();
    return { usedBytes: m.JSHeapUsedSize ?? NaN, domNodes: m.Nodes ?? NaN, listeners: m.JSEventListeners ?? NaN };
  }

  /** Samples the page's JS every `intervalUs` until `stopProfile` (see cpu-profile.ts). */
  async startProfile(intervalUs = 200): Promise<void> {
    await this.cdp.send('Profiler.enable');
    await this.cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.cdp.send('Profiler.start');
  }

  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.cdp.send('Profiler.stop');
    await this.cdp.send('Profiler.disable');
    return profile as CpuProfile;
  }

  /** A heap snapshot as JSON text (V8 collects garbage before taking it); see heap-snapshot.ts. */
  async heapSnapshot(): Promise<string> {
    const chunks: string[] = [];
    const onChunk = ({ chunk }: { chunk: string }): void => void chunks.push(chunk);
    this.cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    try {
      await this.cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } finally {
      this.cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    }
    return chunks.join('');
  }

  async mainThread(): Promise<MainThreadTotals> {
    const m = await this.metrics();
    return { task: m.TaskDuration ?? 0, script: m.ScriptDuration ?? 0, layout: m.LayoutDuration ?? 0, style: m.RecalcStyleDuration ?? 0 };
  }
}
