/**
 * Collects items as they arrive and hands them over in one batch per frame (STYLE.md: one
 * `setState` per tick, not one per message). After a reconnect the hub may replay hundreds of
 * deltas at once; they become one state change and one render.
 */

/** Runs `fn` soon, once; returns a cancel. */
export type Schedule = (fn: () => void) => () => void;

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Applies what is pending now (a test, or a teardown that must not lose the last frames). */
  flush(): void;
  dispose(): void;
}

export function createFrameBatcher<T>(apply: (batch: T[]) => void, schedule: Schedule): FrameBatcher<T> {
  let pending: T[] = [];
  let cancel: (() => void) | null = null;
  let disposed = false;

  function flush(): void {
    cancel?.();
    cancel = null;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    apply(batch);
  }

  return {
    push(item) {
      if (disposed) return;
      pending.push(item);
      if (!cancel) cancel = schedule(flush);
    },
    flush,
    dispose() {
      disposed = true;
      cancel?.();
      cancel = null;
      pending = [];
    },
  };
}

/**
 * The browser's schedule: the next animation frame, or — since a hidden tab runs no animation
 * frames — a timeout, whichever comes first.
 */
export function animationFrameSchedule(fallbackMs = 250): Schedule {
  return (fn) => {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      fn();
    };
    const frame = requestAnimationFrame(run);
    const timer = setTimeout(run, fallbackMs);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  };
}
