/**
 * A real clock that runs `speed` times faster, from `start` at the real moment `origin`: several
 * processes given the same three numbers agree on the time. Tests of things that happen over
 * minutes (restaurant-minutes settling, a hub down across a minute's end) run in seconds, on real
 * timers, sockets and processes. Only what takes an injected clock is sped up.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';

export interface ScaledTime {
  /** Real ms since epoch at which the scaled clock reads `start`. */
  origin: number;
  start: number;
  speed: number;
}

export function scaledClock({ origin, start, speed }: ScaledTime): Clock {
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  return {
    now: () => start + (Date.now() - origin) * speed,
    setTimeout(fn, ms): TimerHandle {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms) / speed);
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      clearTimeout(timers.get(handle.id));
      timers.delete(handle.id);
    },
  };
}

/** Resolves when the scaled clock reads `at` (or later). */
export function untilScaled(clock: Clock, at: number, speed: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - clock.now()) / speed));
}
