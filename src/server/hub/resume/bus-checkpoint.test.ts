import { describe, expect, it } from 'vitest';
import { ev, frame, M0 } from '../../../core/test-helpers/telemetry-events.ts';
import type { RestaurantSecond, TelemetryFrame } from '../../../protocol/telemetry.ts';
import { CheckpointTracker, decodeCheckpoint, encodeCheckpoint, latestTimeOf, type BusCheckpoint } from './bus-checkpoint.ts';

const MIN = 60_000;
/** A frame of gateway `gw` whose data is at time `t` (one restaurant-second), with `events` opens at `t`. */
function at(gw: string, seq: number, t: number, events = 0, run = 1): TelemetryFrame {
  const second = { rid: 'r1', s: Math.floor(t / 1000) * 1000, opens: events, closes: {}, reconnects: 0, hbOnTime: 0, hbLate: 0, msgIn: 0, msgOut: 0, bytesIn: 0, bytesOut: 0, limits: {}, errors: {}, conns: { last: 0, min: 0, max: 0 }, beats: [] } as RestaurantSecond;
  const opens = Array.from({ length: events }, (_, i) => ev.open(t, 'r1', `t${i}`, `c${seq}-${i}`, gw));
  return { ...frame(gw, seq, [second], opens, run), t: t + 1 };
}

describe('bus checkpoint', () => {
  it('round-trips through the store and refuses what it did not write', () => {
    const c: BusCheckpoint = { v: 1, replayAfter: '5-0', eventsThrough: '7-1', minutesBefore: M0, gateways: { 'gw-a': { run: 3, t: M0 } } };
    expect(decodeCheckpoint(encodeCheckpoint(c))).toEqual(c);
    for (const bad of [undefined, 'nope', '{"v":2}', JSON.stringify({ ...c, replayAfter: '$' }), JSON.stringify({ ...c, minutesBefore: null })]) expect(decodeCheckpoint(bad)).toBeNull();
  });

  it('takes the latest time a frame writes to: its seconds (to their end), beats and events', () => {
    const f = at('gw-a', 1, M0 + 1_500, 1);
    expect(latestTimeOf(f)).toBe(M0 + 1_999);
    expect(latestTimeOf({ ...f, lifecycle: [ev.open(M0 + 5_000, 'r1', 't1', 'c1')] })).toBe(M0 + 5_000);
    expect(latestTimeOf({ ...f, seconds: [] , lifecycle: [] })).toBe(-Infinity);
  });

  it('claims events through the last frame all of whose events a batch holds, and never a frame it splits', () => {
    const t = new CheckpointTracker(null);
    t.startAt('0-0');
    t.frame('1-0', at('gw-a', 1, M0 + 1_000, 2), true, 2);
    t.frame('2-0', at('gw-a', 2, M0 + 2_000, 3), true, 3);
    t.frame('3-0', at('gw-a', 3, M0 + 3_000), true, 0);
    expect(t.after()).toMatchObject({ replayAfter: '0-0', eventsThrough: '0-0', minutesBefore: 0 });
    // A batch of 4 events: frame 1's two and half of frame 2's.
    expect(t.after({ minutes: 0, events: 4 })).toMatchObject({ eventsThrough: '1-0' });
    t.committed({ minutes: 0, events: 4 });
    expect(t.after({ minutes: 0, events: 1 })).toMatchObject({ eventsThrough: '3-0' }); // frame 3 has none: through it
    // Events durable, minutes not: the frames still have to be replayed for their minute.
    expect(t.after({ minutes: 0, events: 1 })?.replayAfter).toBe('0-0');
  });

  it('replays from 30 s before the first minute not yet written (the heartbeats health needs), even behind older frames', () => {
    const t = new CheckpointTracker(null);
    t.startAt('0-0');
    t.frame('1-0', at('gw-a', 1, M0 + 20_000), true, 0);
    t.frame('2-0', at('gw-a', 2, M0 + MIN - 20_000), true, 0); // within 30 s of the next minute
    t.frame('3-0', at('gw-b', 1, M0 + 10_000), true, 0); // a gateway far behind
    t.frame('4-0', at('gw-a', 3, M0 + MIN + 2_000), true, 0);
    t.settled(1, M0 + MIN); // minute M0 settled: 1 row queued
    expect(t.after()?.replayAfter).toBe('0-0'); // queued, not written
    expect(t.after({ minutes: 1, events: 0 })).toMatchObject({ replayAfter: '1-0', minutesBefore: M0 + MIN });
    t.committed({ minutes: 1, events: 0 });
    // Frame 3 is old, but frame 2 before it is within 30 s of minute M0+1: the replay starts after 1.
    expect(t.pending).toBe(3);
    t.settled(2, M0 + 2 * MIN);
    t.committed({ minutes: 2, events: 0 });
    expect(t.after()).toMatchObject({ replayAfter: '4-0', eventsThrough: '4-0', minutesBefore: M0 + 2 * MIN });
    expect(t.pending).toBe(0);
  });

  it('keeps each gateway\'s run as of the last frame whose events are stored, not of a later one', () => {
    const t = new CheckpointTracker(null);
    t.startAt('0-0');
    t.frame('1-0', at('gw-a', 7, M0 + 1_000, 1, 1), true, 1);
    t.frame('2-0', at('gw-a', 1, M0 + 2_000, 1, 2), true, 1); // restarted: run 2
    t.frame('3-0', at('gw-a', 9, M0 + 3_000, 0, 1), false, 0); // a straggler of run 1: not applied
    t.committed({ minutes: 0, events: 1 });
    expect(t.after()?.gateways).toEqual({ 'gw-a': { run: 1, t: M0 + 1_001 } });
    t.committed({ minutes: 0, events: 1 });
    expect(t.after()).toMatchObject({ eventsThrough: '3-0', gateways: { 'gw-a': { run: 2, t: M0 + 2_001 } } });
  });

  it('resumes from a stored checkpoint and moves on from it', () => {
    const stored: BusCheckpoint = { v: 1, replayAfter: '10-0', eventsThrough: '12-0', minutesBefore: M0, gateways: { 'gw-a': { run: 1, t: M0 - 500 } } };
    const t = new CheckpointTracker(stored);
    t.startAt('99-0'); // only for a hub without a checkpoint
    expect(t.after()).toEqual(stored);
    // The replay: frames 11 and 12 have their events stored (none queued), 13 is new.
    t.frame('11-0', at('gw-a', 11, M0 + 1_000), true, 0);
    t.frame('12-0', at('gw-a', 12, M0 + 2_000), true, 0);
    t.frame('13-0', at('gw-a', 13, M0 + 3_000, 2), true, 2);
    expect(t.after()).toMatchObject({ replayAfter: '10-0', eventsThrough: '12-0' });
    t.committed({ minutes: 0, events: 2 });
    t.settled(1, M0 + MIN);
    t.committed({ minutes: 1, events: 0 });
    expect(t.after()).toMatchObject({ replayAfter: '13-0', eventsThrough: '13-0', minutesBefore: M0 + MIN });
  });
  it('claims a clean stop\'s seal only once its rows are durable, keeps it across restarts, and drops it once the minute is written', () => {
    const t = new CheckpointTracker(null);
    t.startAt('0-0');
    t.frame('1-0', at('gw-a', 1, M0 + 10_000), true, 0);
    t.frame('2-0', at('gw-a', 2, M0 + 40_000), true, 0);
    expect(t.sealed(2, M0 + 41_000)).toBe(true);
    expect(t.after()?.sealed).toBeUndefined(); // queued, not written
    const c = t.after({ minutes: 2, events: 0 });
    expect(c).toMatchObject({ minutesBefore: M0, eventsThrough: '2-0', sealed: { at: M0 + 41_000, through: '2-0' } });
    expect(decodeCheckpoint(encodeCheckpoint(c!))).toEqual(c);
    expect(decodeCheckpoint(JSON.stringify({ ...c, sealed: { at: 'x', through: '2-0' } }))).toBeNull();
    t.committed({ minutes: 2, events: 0 });

    // The next run: the seal holds until that minute is written whole.
    const next = new CheckpointTracker(c!);
    next.frame('3-0', at('gw-a', 3, M0 + 70_000), true, 0);
    expect(next.after()?.sealed).toEqual({ at: M0 + 41_000, through: '2-0' });
    next.settled(1, M0 + MIN);
    next.committed({ minutes: 1, events: 0 });
    expect(next.after()?.sealed).toBeUndefined();
  });

  it('does not claim a seal with no frame to seal after', () => {
    expect(new CheckpointTracker(null).sealed(0, M0)).toBe(false);
  });
});
