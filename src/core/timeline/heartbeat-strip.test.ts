import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, beats, cellText, e } from './test-helpers/timeline-fixtures.ts';

function strip(events: TimelineEvent[], w: { from?: number; to?: number; now?: number; heartbeatsFrom?: number } = {}): string[] {
  const t = buildTimeline({
    events,
    from: at(w.from ?? 0),
    to: at(w.to ?? 120),
    now: at(w.now ?? w.to ?? 120),
    ...(w.heartbeatsFrom === undefined ? {} : { heartbeatsFrom: at(w.heartbeatsFrom) }),
  });
  return t.heartbeats.cells.map(cellText);
}

describe('heartbeat strip', () => {
  const cases: { name: string; events: TimelineEvent[]; w?: { from?: number; to?: number; now?: number; heartbeatsFrom?: number }; cells: string[] }[] = [
    {
      name: 'a ping every 15 s: one on-time cell each; the running interval is no cell yet',
      events: [e.open(0, 'c1'), ...beats('c1', 15, 61)],
      w: { to: 70 },
      cells: ['0-15 on_time', '15-30 on_time', '30-45 on_time', '45-60 on_time'],
    },
    {
      name: 'a late ping (gateway says so) and a gap of two intervals: one missed, then the late one',
      events: [e.open(0, 'c1'), e.beat(15, 'c1'), e.beat(37, 'c1', false), e.beat(67, 'c1', false)],
      w: { to: 80 },
      cells: ['0-15 on_time', '15-37 late', '37-52 missed', '52-67 late'],
    },
    {
      name: 'quiet after the last ping: each passed deadline (interval + 5 s grace) is missed',
      events: [e.open(0, 'c1'), e.beat(15, 'c1')],
      w: { to: 70 },
      cells: ['0-15 on_time', '15-30 missed', '30-45 missed', '45-60 missed'],
    },
    {
      name: 'a 4008 close two intervals plus grace after the last ping: two missed',
      events: [e.open(0, 'c1'), e.beat(15, 'c1'), e.close(50, 'c1', 4008, 50), e.open(53, 'c2'), e.beat(68, 'c2')],
      w: { to: 80 },
      cells: ['0-15 on_time', '15-30 missed', '30-45 missed', '53-68 on_time'],
    },
    {
      name: 'pings that drift still get one cell each (chained, not on a grid)',
      events: [e.open(0, 'c1'), e.beat(15.9, 'c1'), e.beat(31.8, 'c1'), e.beat(47.7, 'c1'), e.beat(63.6, 'c1')],
      w: { to: 70 },
      cells: ['0-15.9 on_time', '15.9-31.8 on_time', '31.8-47.7 on_time', '47.7-63.6 on_time'],
    },
    {
      name: 'no samples at all: unknown cells, a 4008 marks the last two missed',
      events: [e.open(0, 'c1'), e.close(95, 'c1', 4008, 95)],
      cells: ['0-15 unknown', '15-30 unknown', '30-45 unknown', '45-60 unknown', '60-75 missed', '75-90 missed'],
    },
    {
      name: 'silence before the samples began proves nothing',
      events: [e.open(0, 'c1'), e.beat(60, 'c1'), e.beat(75, 'c1')],
      w: { to: 80, heartbeatsFrom: 50 },
      cells: ['0-15 unknown', '15-30 unknown', '30-45 unknown', '45-60 on_time', '60-75 on_time'],
    },
    {
      name: 'clipped to the window; no cells while disconnected',
      events: [e.open(-10, 'c1'), e.beat(5, 'c1'), e.beat(20, 'c1'), e.close(30, 'c1', 1006, 40), e.open(80, 'c2'), e.beat(95, 'c2')],
      w: { from: 10, to: 100 },
      cells: ['10-20 on_time', '80-95 on_time'],
    },
    {
      name: 'a connection still open: cells up to now only',
      events: [e.open(0, 'c1'), ...beats('c1', 15, 200)],
      w: { to: 600, now: 46 },
      cells: ['0-15 on_time', '15-30 on_time', '30-45 on_time'],
    },
  ];

  it.each(cases)('$name', ({ events, w, cells }) => {
    expect(strip(events, w)).toEqual(cells);
  });

  it('counts cells by status and remembers the last heartbeat', () => {
    const t = buildTimeline({ events: [e.open(0, 'c1'), e.beat(15, 'c1'), e.beat(37, 'c1', false)], from: at(0), to: at(80), now: at(80) });
    expect(t.heartbeats.counts).toEqual({ on_time: 1, late: 1, missed: 2, unknown: 0 });
    expect(t.heartbeats.lastAt).toBe(at(37));
  });

  it('a day of pings is one cell per interval, none lost to drift', () => {
    const events: TimelineEvent[] = [e.open(0, 'c1')];
    for (let i = 1; i <= 5760; i++) events.push(e.beat(i * 15.004, 'c1'));
    const t = buildTimeline({ events, from: at(0), to: at(86_400), now: at(86_400) });
    expect(t.heartbeats.counts).toMatchObject({ on_time: 5758, missed: 0 });
  });
});
