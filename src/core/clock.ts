/**
 * Time, injected. Anything that waits or reads the clock takes a `Clock`, so tests can drive it
 * with `FakeClock` instead of spying on globals (TanStack Query's timeoutManager does the same,
 * for the same reason: code that captured the global setTimeout cannot be faked later).
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export type Random = () => number;

let nextId = 1;

/** The real clock. Timers are tracked only to hand out opaque handles. */
export function systemClock(): Clock {
  const timers = new Map<number, ReturnType<typeof globalThis.setTimeout>>();
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const t = globalThis.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      // In Node a pending reconnect or heartbeat timer must not keep a finished process alive.
      (t as { unref?: () => void }).unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      const t = timers.get(handle.id);
      if (t !== undefined) globalThis.clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** A seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
