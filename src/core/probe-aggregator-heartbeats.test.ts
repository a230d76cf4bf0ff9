/**
 * Heartbeat counting per interval (issue 18, item 12): `hbOnTime` is the number of heartbeat
 * intervals a connection answered, filed as each runs out — the moments the hub files an expected
 * beat (src/core/terminal-time.ts, interval 15 s + grace 5 s from the open). Before, every on-time
 * ping counted where it arrived: the ping at the open made each connection one beat ahead, and a
 * ping just before a minute's end was counted in that minute while its interval ran out in the next.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeEvent } from '../protocol/probe-events.ts';
import { createAggregator } from './probe-aggregator.ts';
import { ev, T0 } from './test-helpers/telemetry-events.ts';

const I = 15_000;
const G = 5_000;
const open = (t: number): ProbeEvent => ({ ...ev.open(t, 'r1', 't1', 'c1'), heartbeatIntervalMs: I, heartbeatGraceMs: G });
const ping = (t: number, gapMs: number): ProbeEvent => ({ ...ev.beat(t, 'r1', 't1', 'c1', gapMs <= I + G), gapMs });

/** Runs the events, flushing every second up to `until`; returns hbOnTime per second start, and in all. */
function onTimeBySecond(events: ProbeEvent[], until: number): { total: number; at: Record<number, number> } {
  const agg = createAggregator({ gatewayId: 'gw', run: 1 });
  const at: Record<number, number> = {};
  let total = 0;
  let i = 0;
  for (let now = T0 + 1000; now <= until; now += 1000) {
    while (i < events.length && (events[i] as ProbeEvent).t < now) agg.add(events[i++] as ProbeEvent);
    for (const s of agg.flush(now).seconds) {
      if (s.hbOnTime === 0) continue;
      at[s.s - T0] = (at[s.s - T0] ?? 0) + s.hbOnTime;
      total += s.hbOnTime;
    }
  }
  return { total, at };
}

/** Pings at these offsets (s) after an open at T0, gaps as the gateway would measure them. */
function pings(offsetsS: number[]): ProbeEvent[] {
  let prev = 0;
  return [open(T0), ...offsetsS.map((s) => {
    const e = ping(T0 + s * 1000, (s - prev) * 1000);
    prev = s;
    return e;
  })];
}

describe('heartbeat intervals answered', () => {
  it.each<[string, number[], number, number]>([
    // name, ping offsets (s), seconds watched, on-time intervals (expected: ⌊(watched − 5) / 15⌋)
    ['a ping at the open answers nothing', [0], 19, 0],
    ['a regular terminal with a ping at its open: one per interval, not one too many', [0, 15, 30, 45, 60], 66, 4],
    ['a regular terminal without: the same', [15, 30, 45, 60], 66, 4],
    ['phase-shifted by 7 s: still one per interval', [7, 22, 37, 52], 66, 4],
    ['two pings in one interval count once', [0, 14, 16, 30], 36, 2],
    ['half-open after its first interval: 1 of 3', [0, 15], 52, 1],
    ['a ping after a missed interval answers its own', [0, 15, 41], 52, 2],
  ])('%s', (_name, offsets, watchedS, expected) => {
    expect(onTimeBySecond(pings(offsets), T0 + watchedS * 1000).total).toBe(expected);
  });

  it('files each answer at the second its interval runs out, not at the ping', () => {
    // Ping at 14.9 s answers interval 1, which runs out at 20 s.
    expect(onTimeBySecond(pings([0, 14.9]), T0 + 25_000).at).toEqual({ 20_000: 1 });
  });

  it('a window still running when its connection closes is not counted (nor expected)', () => {
    const events = [...pings([0, 15]), ev.close(T0 + 18_000, 'r1', 't1', 'c1', 1000, 18_000)];
    expect(onTimeBySecond(events, T0 + 30_000).total).toBe(0);
    const later = [...pings([0, 15]), ev.close(T0 + 21_000, 'r1', 't1', 'c1', 1000, 21_000)];
    expect(onTimeBySecond(later, T0 + 30_000).total).toBe(1);
  });

  it('a minute of a regular terminal shows its 4 intervals even when its pings straddle the minute', () => {
    // Open at 0:44.5, pings every 15 s ± 0.3 s: intervals run out at x:04.5, :19.5, :34.5, :49.5.
    const base = 44_500;
    const offsets = [0, 15.2, 29.8, 45.3, 59.7, 75.1, 90.2, 104.9].map((s) => s + base / 1000);
    let prev = base / 1000;
    const events: ProbeEvent[] = [open(T0 + base)];
    for (const s of offsets) {
      events.push(ping(T0 + Math.round(s * 1000), Math.round((s - prev) * 1000)));
      prev = s;
    }
    const { at } = onTimeBySecond(events, T0 + 180_000);
    const minute1 = Object.entries(at).filter(([s]) => Number(s) >= 60_000 && Number(s) < 120_000).reduce((n, [, v]) => n + v, 0);
    expect(minute1).toBe(4);
  });

  it('fileBy events: a close that arrives after the flush, but happened before the interval ran out, is honoured', () => {
    const run = (fileBy: 'clock' | 'events') => {
      const agg = createAggregator({ gatewayId: 'gw', run: 1, fileBy });
      for (const e of pings([0, 15])) agg.add(e);
      const first = agg.flush(T0 + 21_000); // interval 1 ran out at 20 s by the hub's clock
      agg.add(ev.close(T0 + 19_000, 'r1', 't1', 'c1', 1006, 19_000)); // sent at 19 s, in the next batch
      const second = agg.flush(T0 + 22_000);
      return [...first.seconds, ...second.seconds].reduce((n, x) => n + x.hbOnTime, 0);
    };
    expect(run('events')).toBe(0);
    expect(run('clock')).toBe(1); // why the open ingest files by events
  });

  it('a connection adopted without its open counts pings as the gateway judged them', () => {
    expect(onTimeBySecond([ping(T0 + 100, 15_000), ping(T0 + 15_100, 15_000)], T0 + 20_000).total).toBe(2);
  });
});
