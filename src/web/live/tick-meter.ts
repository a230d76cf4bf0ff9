/**
 * Times each live tick on the main thread: applying the batch and React's render of it. React
 * renders a store update in a microtask queued by `setState`, so a microtask queued after it runs
 * once the render is committed. Each tick becomes a `pulse:tick` performance measure, which
 * `npm run bench:ui` (or DevTools) reads; old ones are cleared so a shift-long tab stays bounded.
 */
export const tickMeasureName = 'pulse:tick';
const keep = 600;

export function createTickMeter(perf: Pick<Performance, 'now' | 'measure' | 'clearMeasures'> = performance): (apply: () => void) => void {
  let count = 0;
  return (apply) => {
    const start = perf.now();
    apply();
    queueMicrotask(() => {
      if (++count % keep === 0) perf.clearMeasures(tickMeasureName);
      try {
        perf.measure(tickMeasureName, { start, end: perf.now() });
      } catch {
        // A browser without measure options: timing is a diagnostic, never worth an error.
      }
    });
  };
}
