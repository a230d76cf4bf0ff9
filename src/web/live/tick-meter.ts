/**
 * Times each live tick on the main thread: decoding its frames as they arrived, applying the batch,
 * and React's render of it. React renders a store update in a microtask queued by `setState`, so a
 * microtask queued after it runs once the render is committed. Decoding happens earlier, in the
 * socket's message events (one per frame), so its time is added up and counted into the tick that
 * applies those frames: a tick's cost is what its data cost, wherever the work fell.
 *
 * Each tick becomes a `pulse:tick` performance measure whose duration is that sum, with the parts
 * in `detail` ({ decodeMs, storeMs, renderMs }: decoding, the reducer and the store's listeners,
 * React's render and commit), which `npm run bench:ui` (or DevTools) reads; old ones are cleared so
 * a shift-long tab stays bounded.
 */
export const tickMeasureName = 'pulse:tick';
// Observers (the bench, DevTools) see every measure as it is made; the buffer only needs the last minute.
const keep = 60;

export interface TickMeter {
  /** Runs a frame's decoding, timing it for the tick that will apply the frame. */
  decode<T>(run: () => T): T;
  /** Runs a batch's application (and, after it, React's render), and records the tick. */
  tick(apply: () => void): void;
}

export function createTickMeter(perf: Pick<Performance, 'now' | 'measure' | 'clearMeasures'> = performance): TickMeter {
  let count = 0;
  let decodeMs = 0;
  return {
    decode(run) {
      const start = perf.now();
      try {
        return run();
      } finally {
        decodeMs += perf.now() - start;
      }
    },
    tick(apply) {
      const decoded = decodeMs;
      decodeMs = 0;
      const start = perf.now();
      apply();
      const applied = perf.now();
      queueMicrotask(() => {
        if (++count % keep === 0) perf.clearMeasures(tickMeasureName);
        const end = perf.now();
        try {
          perf.measure(tickMeasureName, { start: start - decoded, duration: decoded + end - start, detail: { decodeMs: decoded, storeMs: applied - start, renderMs: end - applied } });
        } catch {
          // A browser without measure options: timing is a diagnostic, never worth an error.
        }
      });
    },
  };
}
