/**
 * The React side of the live store, zustand-style: `useLive(selector)` re-renders a component only
 * when what it selected changed (useSyncExternalStore underneath). Selectors must return stable
 * values — a field, or a memoised derivation — never a fresh object per call.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useClock } from '../lib/clock.ts';
import { withInterest } from './live-interest.ts';
import type { LiveState, LiveStore } from './live-store.ts';
import { livenessOf, type Liveness, type LivenessView } from './liveness.ts';

export const LiveStoreContext = createContext<LiveStore | null>(null);

export function useLiveStore(): LiveStore {
  const store = useContext(LiveStoreContext);
  if (!store) throw new Error('useLive outside <Providers>');
  return store;
}

export function useLive<T>(selector: (state: LiveState) => T): T {
  return useStore(useLiveStore(), selector);
}

/** The SPA's clock (lib/clock.ts), read again every `intervalMs`: what "data N s old" is computed against. */
export function useNow(intervalMs = 1000): number {
  const clock = useClock();
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(clock.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, clock]);
  return now;
}

/** Live or not, and how old the data is; re-read each second and on every store change. */
export function useLiveness(): LivenessView {
  const clock = useClock();
  const now = useNow();
  const connection = useLive((s) => s.connection);
  const appliedAt = useLive((s) => s.appliedAt);
  const resyncFrom = useLive((s) => s.resyncFrom);
  const tickMs = useLive((s) => s.tickMs);
  // A store change (a drop, a tick) must show at once, not at the next second.
  return livenessOf({ connection, appliedAt, resyncFrom, tickMs }, Math.max(now, clock.now()));
}

/**
 * Only whether the data is live: a component reading it re-renders when that changes (or on the
 * clock's second), not on every tick as it would on `appliedAt` — the figures it wraps render on
 * the tick already. The age, which does change every tick, is for `useLiveness`.
 */
export function useLivenessStatus(): Liveness {
  const clock = useClock();
  const now = useNow();
  return useLive((s) => livenessOf(s, Math.max(now, clock.now())).status);
}

/**
 * Declares what a view looks at (live-interest.ts): `rids` while mounted, withdrawn on unmount.
 * `rids` is compared by content, so a view may pass a fresh array each render.
 */
export function useLiveInterest(key: string, rids: readonly string[]): void {
  const store = useLiveStore();
  const joined = rids.join('\n');
  useEffect(() => {
    store.setState((s) => ({ interest: withInterest(s.interest, key, joined === '' ? [] : joined.split('\n')) }));
  }, [store, key, joined]);
  useEffect(() => () => store.setState((s) => ({ interest: withInterest(s.interest, key, null) })), [store, key]);
}
