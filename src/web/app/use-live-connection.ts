/**
 * Starts the tab's one live connection and keeps it for the page's life. The store outlives the
 * connection (StrictMode mounts effects twice; a remount must not drop what we know).
 */
import { useEffect, useState } from 'react';
import { browserCanAttempt, watchBrowser } from '../../client/browser-hooks.ts';
import { systemClock } from '../../core/clock.ts';
import { livePath } from '../../protocol/live.ts';
import { animationFrameSchedule } from '../live/frame-batcher.ts';
import { startLiveConnection } from '../live/live-connection.ts';
import { createLiveStore, type LiveStore } from '../live/live-store.ts';
import { createTickMeter } from '../live/tick-meter.ts';

export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${livePath}`;
}

export function useLiveConnection(token: string, onRefused: () => void): LiveStore {
  const [store] = useState(createLiveStore);
  useEffect(() => {
    const isVisible = (): boolean => document.visibilityState === 'visible';
    const isOnline = (): boolean => navigator.onLine;
    const connection = startLiveConnection({
      store,
      url: liveUrl(window.location),
      token,
      createSocket: (url, protocols) => new WebSocket(url, protocols),
      clock: systemClock(),
      random: Math.random,
      schedule: animationFrameSchedule(),
      canAttempt: browserCanAttempt(isVisible, isOnline),
      onRefused,
      meter: createTickMeter(),
      onBadFrame: (reason) => console.warn('pulse: dropped a live frame that breaks the contract:', reason),
    });
    const unwatch = watchBrowser(connection.socket, window, isVisible, isOnline);
    return () => {
      unwatch();
      connection.dispose();
    };
  }, [store, token, onRefused]);
  return store;
}
