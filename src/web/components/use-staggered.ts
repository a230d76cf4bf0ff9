/**
 * Adopts a new value `delayMs` after it arrives. Charts that all change at the same moment (a
 * bucket closing) redraw in separate tasks instead of one long one that would freeze the page.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

export function useStaggered<T>(value: T, delayMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (Object.is(shown, value)) return;
    if (delayMs <= 0) {
      setShown(() => value);
      return;
    }
    // Rendered, committed and its effects run in this task (flushSync): a chart's effects left for
    // later ran inside the next live tick when it came first, and recharts' effects update its
    // store, which renders again — 5–15 ms added to a tick (`npm run bench:ui -- --cpu-profile`).
    const timer = setTimeout(() => flushSync(() => setShown(() => value)), delayMs);
    return () => clearTimeout(timer);
  }, [value, shown, delayMs]);
  return shown;
}
