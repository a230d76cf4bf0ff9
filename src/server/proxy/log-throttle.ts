/**
 * At most one log line per interval for things that can happen per connection by the thousand (an
 * upstream that is down refuses every terminal of a fleet reconnecting at once; an observer that
 * throws does so on every frame): the first is written, the rest counted and the count written
 * with the next line.
 */
export type Throttled = (write: (notLoggedSinceLast: number) => void) => void;

export function throttleLog(intervalMs = 1000, now: () => number = Date.now): Throttled {
  let last = -Infinity;
  let skipped = 0;
  return (write) => {
    const t = now();
    if (t - last < intervalMs) {
      skipped++;
      return;
    }
    last = t;
    write(skipped);
    skipped = 0;
  };
}
