import { describe, expect, it } from 'vitest';
import { buildTimeline } from './build-timeline.ts';
import type { TimelineEvent } from './timeline-types.ts';
import { at, beats, cellText, e } from './test-helpers/timeline-fixtures.ts';

type Window = { from?: number; to?: number; now?: number; recordsUntil?: number };

function strip(events: TimelineEvent[], w: Window = {}): string[] {
  const t = buildTimeline({
    events,
    from: at(w.from ?? 0),
    to: at(w.to ?? 120),
    now: at(w.now ?? w.to ?? 120),
    ...(w.recordsUntil === undefined ? {} : { recordsUntil: at(w.recordsUntil) }),
  });
  return t.heartbeats.cells.map(cellText);
}

// Interval 15 s, grace 5 s: a cell is settled 15 + 5 s after it ends (a late ping or a 4008 would
// have come by then), so a live connection's last ~35 s hold no cell yet.
describe('heartbeat strip (from lifecycle records)', () => {
  const cases: { name: string; events: TimelineEvent[]; w?: Window; cells: string[] }[] = [
    {
      name: 'no late record and no 4008: every settled interval is on time; the last ones are not judged yet',
      events: [e.open(0, 'c1')],
      w: { to: 70 },
      cells: ['0-15 on_time', '15-30 on_time', '30-45 on_time'],
    },
    {
      name: 'a late ping: on time up to the ping before it, then the late one, then on time again',
      events: [e.open(0, 'c1'), e.late(37, 'c1', 22)],
      w: { to: 100 },
      cells: ['0-15 on_time', '15-37 late', '37-52 on_time', '52-67 on_time'],
    },
    {
      name: 'a gap of about two intervals: one missed, then the late ping',
      events: [e.open(0, 'c1'), e.late(45, 'c1', 30)],
      w: { to: 60 },
      cells: ['0-15 on_time', '15-30 missed', '30-45 late'],
    },
    {
      name: 'a 4008 close: its last two intervals missed, those before on time',
      events: [e.open(0, 'c1'), e.close(50, 'c1', 4008, 50), e.open(53, 'c2')],
      w: { to: 100 },
      cells: ['0-15 on_time', '15-30 missed', '30-45 missed', '53-68 on_time'],
    },
    {
      name: 'a 4008 right after a late ping: both intervals since are missed',
      events: [e.open(0, 'c1'), e.late(20, 'c1', 20), e.close(56, 'c1', 4008, 56)],
      cells: ['0-20 late', '20-35 missed', '35-50 missed'],
    },
    {
      name: 'a close other than 4008 before the last due interval settled: that one is unknown; the running one is no cell',
      events: [e.open(0, 'c1'), e.close(62, 'c1', 1006, 62)],
      cells: ['0-15 on_time', '15-30 on_time', '30-45 unknown'],
    },
    {
      name: 'pings that drift: the chain to the ping before a late one is cut in equal cells, one per ping',
      events: [e.open(0, 'c1'), e.late(84.6, 'c1', 21)],
      w: { to: 90 },
      cells: ['0-15.9 on_time', '15.9-31.8 on_time', '31.8-47.7 on_time', '47.7-63.6 on_time', '63.6-84.6 late'],
    },
    {
      name: 'records read up to a moment: a live connection is judged up to it only',
      events: [e.open(0, 'c1')],
      w: { to: 600, recordsUntil: 60 },
      cells: ['0-15 on_time', '15-30 on_time'],
    },
    {
      name: 'a close seen after the records were read (the live feed): no unknown cell, the next read will tell',
      events: [e.open(0, 'c1'), e.close(100, 'c1', 1006, 100)],
      w: { to: 200, recordsUntil: 60 },
      cells: ['0-15 on_time', '15-30 on_time'],
    },
    {
      name: 'clipped to the window; no cells while disconnected',
      events: [e.open(-10, 'c1'), e.close(50, 'c1', 1006, 60), e.open(80, 'c2')],
      w: { from: 10, to: 130 },
      cells: ['10-20 on_time', '20-35 unknown', '80-95 on_time', '95-110 on_time'],
    },
    {
      name: 'a late record whose open was not loaded: the connection was open from the ping before it',
      events: [e.late(50, 'c9', 20)],
      cells: ['30-50 late', '50-65 on_time', '65-80 on_time', '80-95 on_time'],
    },
    {
      name: 'a record delivered twice is one late cell',
      events: [e.open(0, 'c1'), e.late(22, 'c1', 22), e.late(22, 'c1', 22)],
      w: { to: 50 },
      cells: ['0-22 late'],
    },
    {
      name: 'a connection still open: cells up to now only',
      events: [e.open(0, 'c1')],
      w: { to: 600, now: 80 },
      cells: ['0-15 on_time', '15-30 on_time', '30-45 on_time', '45-60 on_time'],
    },
  ];

  it.each(cases)('$name', ({ events, w, cells }) => {
    expect(strip(events, w)).toEqual(cells);
  });

  it('counts cells by status; the last heartbeat is the late one or the end of the last on-time cell', () => {
    const t = buildTimeline({ events: [e.open(0, 'c1'), e.late(37, 'c1', 22, 30)], from: at(0), to: at(80), now: at(80) });
    expect(t.heartbeats.counts).toEqual({ on_time: 2, late: 1, missed: 0, unknown: 0 });
    expect(t.heartbeats.lastAt).toBe(at(52));
    expect(t.rtt.count).toBe(1);
    const quiet = buildTimeline({ events: [e.open(0, 'c1'), e.late(37, 'c1', 22)], from: at(0), to: at(50), now: at(50) });
    expect(quiet.heartbeats.lastAt).toBe(at(37));
  });

  it('heartbeat samples (a page\'s poll) add RTT and the last heartbeat, not cells', () => {
    const events: TimelineEvent[] = [e.open(0, 'c1'), ...beats('c1', 15, 80, 15, 12)];
    const t = buildTimeline({ events, from: at(0), to: at(80), now: at(80) });
    expect(t.heartbeats.cells.map(cellText)).toEqual(strip([e.open(0, 'c1')], { to: 80 }));
    expect(t.heartbeats.lastAt).toBe(at(75));
    expect(t.rtt.count).toBe(5);
  });

  it('a day connected without a late record is one on-time cell per settled interval', () => {
    const t = buildTimeline({ events: [e.open(0, 'c1')], from: at(0), to: at(86_400), now: at(86_400) });
    expect(t.heartbeats.counts).toEqual({ on_time: 5758, late: 0, missed: 0, unknown: 0 });
  });
});
