/** The cursor state machine against a fake clock: play, pause, speeds, seek, step, the window's ends. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../core/fake-clock.ts';
import { cursorAt, nextSpeed, pause, play, positionOf, seek, settle, step, togglePlay, withSpeed } from './replay-cursor.ts';

const T = 1_700_000_040_000;
const window = { from: T, to: T + 3_600_000 };

describe('replay cursor', () => {
  it('stands still until played, then moves speed × wall time', () => {
    const clock = new FakeClock(5_000);
    let c = cursorAt(window, T + 60_000, 60);
    clock.advance(10_000);
    expect(positionOf(c, clock.now())).toBe(T + 60_000);
    c = play(c, clock.now());
    clock.advance(1_500);
    expect(positionOf(c, clock.now())).toBe(T + 60_000 + 90_000);
    c = pause(c, clock.now());
    clock.advance(60_000);
    expect(positionOf(c, clock.now())).toBe(T + 150_000);
    expect(c.playing).toBe(false);
  });

  it('changes speed mid-play without losing what was played', () => {
    const clock = new FakeClock();
    let c = play(cursorAt(window, T, 1), clock.now());
    clock.advance(2_000);
    c = withSpeed(c, 600, clock.now());
    clock.advance(1_000);
    expect(positionOf(c, clock.now())).toBe(T + 2_000 + 600_000);
    expect([nextSpeed(1, 1), nextSpeed(60, 1), nextSpeed(600, 1), nextSpeed(10, -1), nextSpeed(1, -1)]).toEqual([10, 600, 600, 1, 1]);
  });

  it('stops at the end of the window, and plays again from its start', () => {
    const clock = new FakeClock();
    let c = play(cursorAt(window, window.to - 30_000, 60), clock.now());
    clock.advance(1_000);
    expect(positionOf(c, clock.now())).toBe(window.to);
    c = settle(c, clock.now());
    expect([c.at, c.playing]).toEqual([window.to, false]);
    c = togglePlay(c, clock.now());
    expect([c.at, c.playing]).toEqual([window.from, true]);
  });

  it('seeks within the window, playing on from there', () => {
    const clock = new FakeClock();
    let c = play(cursorAt(window, T, 10), clock.now());
    clock.advance(3_000);
    c = seek(c, T + 600_000, clock.now());
    clock.advance(1_000);
    expect(positionOf(c, clock.now())).toBe(T + 610_000);
    expect(seek(c, T - 5, clock.now()).at).toBe(window.from);
    expect(seek(c, window.to + 5, clock.now())).toMatchObject({ at: window.to, playing: false });
  });

  it('steps ±1 s and ±1 min from the instant shown, and pauses', () => {
    const clock = new FakeClock();
    let c = play(cursorAt(window, T + 10_000, 1), clock.now());
    clock.advance(2_500); // shows T + 12.5 s
    c = step(c, 1_000, clock.now());
    expect([c.at, c.playing]).toEqual([T + 13_500, false]);
    c = step(c, -60_000, clock.now());
    expect(c.at).toBe(window.from);
    expect(step(cursorAt(window, window.to, 1), 60_000, clock.now()).at).toBe(window.to);
  });
});
