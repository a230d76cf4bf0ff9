/**
 * A value that follows its source at most once every `everyMs`: the first change shows at once
 * (in the next task), later ones wait until `everyMs` have passed since the last shown. For a
 * chart fed by a value that changes every tick, it bounds how often the chart redraws.
 */
import { useEffect, useRef, useState } from 'react';
import { useClock } from '../lib/clock.ts';

export function useThrottled<T>(value: T, everyMs: number): T {
  const clock = useClock();
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  const shownAt = useRef(-Infinity);
  useEffect(() => {
    latest.current = value;
  });
  const behind = !Object.is(shown, value);
  useEffect(() => {
    if (!behind) return;
    const timer = setTimeout(
      () => {
        shownAt.current = clock.now();
        setShown(() => latest.current);
      },
      Math.max(0, shownAt.current + everyMs - clock.now()),
    );
    return () => clearTimeout(timer);
  }, [behind, everyMs, clock]);
  return shown;
}
