import { describe, expect, it } from 'vitest';
import { seededRandom } from './clock.ts';
import { RestaurantWindows } from './fleet-state-window.ts';
import { createHistogram } from './histogram.ts';
import type { Histogram } from './histogram.ts';
import { M0 } from './test-helpers/telemetry-events.ts';

describe('restaurant windows', () => {
  it('keeps its rolling histogram equal to a fresh merge of the last 50–60 s, however time moves', () => {
    const w = new RestaurantWindows('r1');
    const random = seededRandom(3);
    const recorded: { t: number; h: Histogram }[] = [];
    // The newest 10-s slot seen, by data or by a view: the window never moves back.
    let head = -Infinity;
    const slot = (t: number) => Math.floor(t / 10_000) * 10_000;
    for (let t = M0; t < M0 + 300_000; t += 1_000 + Math.floor(random() * 2_000)) {
      const h = createHistogram();
      for (let i = 0; i < 5; i++) h.record(1 + random() * 100);
      w.mergeHistogram(t, 'rtt', h);
      head = Math.max(head, slot(t));
      recorded.push({ t, h });
      if (random() < 0.3) {
        const now = t + Math.floor(random() * 20_000);
        head = Math.max(head, slot(now));
        const fresh = createHistogram();
        for (const r of recorded) if (slot(r.t) > head - 60_000) fresh.merge(r.h);
        const view = w.view(now).hist.rtt;
        expect(view.count).toBe(fresh.count);
        expect(view.percentile(99)).toBe(fresh.percentile(99));
      }
    }
  });

  it('counts over exactly the 60 whole seconds before now', () => {
    const w = new RestaurantWindows('r1');
    for (let s = 0; s <= 90; s++) w.count(M0 + s * 1_000 + 500, 'opens', 1);
    // Seconds 30–89; second 90 is still arriving.
    expect(w.view(M0 + 90_000).counters.opens).toBe(60);
    expect(w.view(M0 + 90_999).counters.opens).toBe(60);
    expect(w.view(M0 + 91_000).counters.opens).toBe(60);
    expect(w.view(M0 + 90_500).lastSecond).toEqual({ opens: 1 });
    expect(w.view(M0 + 95_000).lastSecond).toEqual({});
    expect(w.totals.opens).toBe(91);
  });

  it('spreads credited terminal-time over the seconds and minutes it crosses', () => {
    const w = new RestaurantWindows('r1');
    w.credit(M0 + 59_500, M0 + 61_500, 'connectedMs', 3);
    expect(w.view(M0 + 62_000).counters.connectedMs).toBe(6_000);
    const [m0, m1] = w.settle(M0 + 120_000);
    expect([m0?.counters.connectedMs, m1?.counters.connectedMs]).toEqual([1_500, 4_500]);
  });

  it('counts, rather than loses, a write for a minute already settled', () => {
    const w = new RestaurantWindows('r1');
    w.count(M0 + 1_000, 'opens', 1);
    expect(w.settle(M0 + 60_000).map((m) => m.counters)).toEqual([{ opens: 1 }]);
    w.count(M0 + 2_000, 'opens', 1);
    expect(w.lateWrites).toBe(1);
    expect(w.totals.opens).toBe(2);
    expect(w.settle(M0 + 120_000)).toEqual([]);
  });
});
