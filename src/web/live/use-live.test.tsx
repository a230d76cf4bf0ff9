/**
 * The liveness hooks read the time from the SPA's clock (lib/clock.ts), not from Date.now(): under
 * a fake clock "data N s old" is N seconds after the last tick by that clock. (The fake time is
 * years from the machine's, so a hook still reading Date.now() would print a different age.)
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { ClockContext } from '../lib/clock.ts';
import { createStore } from 'zustand/vanilla';
import { createLiveStore, type LiveState } from './live-store.ts';
import { stalenessMessage } from './liveness.ts';
import { LiveStoreContext, useLiveness, useLivenessStatus } from './use-live.ts';

const T0 = Date.UTC(2020, 0, 6, 9, 0, 0);

function Probe() {
  const view = useLiveness();
  return (
    <p>
      {useLivenessStatus()} · {view.ageMs} ms · {stalenessMessage(view)}
    </p>
  );
}

function renderAt(now: number, socket: 'open' | 'waiting'): string {
  // Rendered to HTML, the store is read through its initial state (zustand's server snapshot), so
  // the state under test is the initial one.
  const state: LiveState = { ...createLiveStore().getState(), appliedAt: T0, tickMs: 1000, connection: { socket, failure: null, rttMs: null } };
  const store = createStore<LiveState>(() => state);
  return renderToStaticMarkup(
    <LiveStoreContext.Provider value={store}>
      <ClockContext.Provider value={new FakeClock(now)}>
        <Probe />
      </ClockContext.Provider>
    </LiveStoreContext.Provider>,
  );
}

describe('liveness hooks under the SPA clock', () => {
  it('age and status come from the provided clock', () => {
    expect(renderAt(T0 + 1000, 'open')).toBe('<p>live · 1000 ms · </p>');
    expect(renderAt(T0 + 12_400, 'waiting')).toBe('<p>reconnecting · 12400 ms · Reconnecting — data 12 s old</p>');
  });
});
