/**
 * The SPA's clock. Hooks and handlers read the time through `useClock()` rather than `Date.now()`,
 * so a test can render them at a chosen moment (`<ClockContext.Provider value={new FakeClock(t)}>`,
 * core/fake-clock.ts) — as core takes an injected `Clock` everywhere. Timers stay the browser's:
 * what reads the time is what tests need to pin.
 */
import { createContext, useContext } from 'react';

export interface WebClock {
  now(): number;
}

/** The browser's own time; what every page uses unless a test provides another. */
export const browserClock: WebClock = { now: () => Date.now() };

export const ClockContext = createContext<WebClock>(browserClock);

export function useClock(): WebClock {
  return useContext(ClockContext);
}
