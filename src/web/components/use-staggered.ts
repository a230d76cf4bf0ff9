/**
 * Adopts a new value `delayMs` after it arrives. Charts that all change at the same moment (a
 * bucket closing) redraw in separate tasks instead of one long one that would freeze the page.
 */
import { useEffect, useState } from 'react';

export function useStaggered<T>(value: T, delayMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (Object.is(shown, value)) return;
    if (delayMs <= 0) {
      setShown(() => value);
      return;
    }
    const timer = setTimeout(() => setShown(() => value), delayMs);
    return () => clearTimeout(timer);
  }, [value, shown, delayMs]);
  return shown;
}
