/**
 * The replay's time cursor, as a pure state machine: where in the stored past the views stand,
 * whether it plays and how fast. Time is read from the clock passed in (`WebClock`, a FakeClock in
 * tests), never from Date.now(): while playing, the cursor is `anchor.at + speed × (now − anchor.wall)`,
 * so a slow frame never slows the replay down, it only shows fewer of its seconds.
 *
 *   let c = cursorAt({ from, to }, at, 60);
 *   c = play(c, clock.now());   …   positionOf(c, clock.now())   // the instant to show now
 *
 * The cursor never leaves [from, to]; playing into `to` stops there (paused), as a video does.
 */
export const replaySpeeds = [1, 10, 60, 600] as const;
export type ReplaySpeed = (typeof replaySpeeds)[number];

export interface ReplayCursor {
  readonly from: number;
  readonly to: number;
  readonly speed: ReplaySpeed;
  /** Paused: the instant shown. Playing: the instant at `wall`. */
  readonly at: number;
  readonly playing: boolean;
  /** Our clock when `at` was last set (meaningful while playing). */
  readonly wall: number;
}

export function cursorAt(window: { from: number; to: number }, at: number, speed: ReplaySpeed = 1): ReplayCursor {
  return { from: window.from, to: window.to, speed, at: clamp(at, window.from, window.to), playing: false, wall: 0 };
}

/** The instant shown at `now`, to the millisecond (views floor it to what they draw). */
export function positionOf(c: ReplayCursor, now: number): number {
  if (!c.playing) return c.at;
  return clamp(c.at + c.speed * Math.max(0, now - c.wall), c.from, c.to);
}

/** The cursor as it stands at `now`: a playing cursor that reached `to` is paused there. */
export function settle(c: ReplayCursor, now: number): ReplayCursor {
  if (!c.playing) return c;
  const at = positionOf(c, now);
  return at >= c.to ? { ...c, at: c.to, playing: false } : { ...c, at, wall: now };
}

export function play(c: ReplayCursor, now: number): ReplayCursor {
  if (c.playing) return c;
  // At the end already: play from the start again rather than not at all.
  const at = c.at >= c.to ? c.from : c.at;
  return { ...c, at, playing: true, wall: now };
}

export function pause(c: ReplayCursor, now: number): ReplayCursor {
  return c.playing ? { ...c, at: positionOf(c, now), playing: false } : c;
}

export function togglePlay(c: ReplayCursor, now: number): ReplayCursor {
  return c.playing ? pause(c, now) : play(c, now);
}

/** A new speed from this instant on: what was played so far stays played. */
export function withSpeed(c: ReplayCursor, speed: ReplaySpeed, now: number): ReplayCursor {
  const s = settle(c, now);
  return { ...s, speed };
}

/** The next speed up or down the list (the keyboard's `>` and `<`); the ends stay put. */
export function nextSpeed(speed: ReplaySpeed, direction: 1 | -1): ReplaySpeed {
  const i = replaySpeeds.indexOf(speed) + direction;
  return replaySpeeds[clamp(i, 0, replaySpeeds.length - 1)] as ReplaySpeed;
}

/** Jump to an instant (scrub, a marker); playing goes on from there. */
export function seek(c: ReplayCursor, t: number, now: number): ReplayCursor {
  return { ...c, at: clamp(t, c.from, c.to), wall: now, playing: c.playing && t < c.to };
}

/**
 * Step by `ms` (±1 s, ±1 min) from where the cursor stands now, to the millisecond (a marker's
 * instant one second on is that instant + 1 s, not a rounded one); a step pauses, to look.
 */
export function step(c: ReplayCursor, ms: number, now: number): ReplayCursor {
  const at = clamp(Math.round(positionOf(c, now)) + ms, c.from, c.to);
  return { ...c, at, playing: false };
}

export function isReplaySpeed(n: number): n is ReplaySpeed {
  return (replaySpeeds as readonly number[]).includes(n);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
