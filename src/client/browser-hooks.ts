/**
 * The browser's say in reconnecting (DESIGN.md): no attempts while offline or hidden, and a check
 * at once when the network returns or the tab becomes visible — background tabs throttle timers to
 * one run a minute, so waiting for the retry timer could leave a returning user staring at stale
 * data (phoenix#3327). Structural types only: src/client is also compiled without the DOM.
 */
import type { ResilientSocket } from './socket-types.ts';

/** `window` fits: `online` fires on it, and `visibilitychange` bubbles from the document to it. */
export interface BrowserEventTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Pass as `canAttempt` when creating the socket: the gate `watchBrowser` then reopens. */
export function browserCanAttempt(isVisible: () => boolean, isOnline: () => boolean): () => boolean {
  return () => isOnline() && isVisible();
}

/** Checks the socket on `online` and on `visibilitychange` to visible; returns the unsubscribe. */
export function watchBrowser(
  socket: Pick<ResilientSocket, 'checkNow'>,
  target: BrowserEventTarget,
  isVisible: () => boolean,
  isOnline: () => boolean,
): () => void {
  const check = (): void => {
    if (isOnline() && isVisible()) socket.checkNow();
  };
  target.addEventListener('online', check);
  target.addEventListener('visibilitychange', check);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    target.removeEventListener('online', check);
    target.removeEventListener('visibilitychange', check);
  };
}
