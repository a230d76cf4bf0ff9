import { describe, expect, it } from 'vitest';
import { browserCanAttempt, watchBrowser } from './browser-hooks.ts';
import type { BrowserEventTarget } from './browser-hooks.ts';
import { socketFixture } from './test-helpers/socket-fixture.ts';

/** A window stand-in: records listeners so a test can fire events and count what is left. */
function fakeWindow(): BrowserEventTarget & { fire(type: string): void; count(): number } {
  const listeners = new Map<string, Set<() => void>>();
  return {
    addEventListener(type, listener) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(listener);
    },
    removeEventListener(type, listener) {
      listeners.get(type)?.delete(listener);
    },
    fire(type) {
      for (const l of [...(listeners.get(type) ?? [])]) l();
    },
    count() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
}

describe('watchBrowser', () => {
  it('makes no attempt while offline or hidden, and checks at once when both come back', () => {
    let visible = false;
    let online = false;
    const win = fakeWindow();
    const f = socketFixture({ canAttempt: browserCanAttempt(() => visible, () => online) });
    const unwatch = watchBrowser(f.socket, win, () => visible, () => online);
    f.socket.connect();
    expect(f.sockets).toHaveLength(0);
    expect(f.socket.state).toBe('waiting');

    online = true;
    win.fire('online'); // still hidden
    f.clock.advance(5 * 60_000);
    expect(f.sockets).toHaveLength(0);

    visible = true;
    win.fire('visibilitychange');
    expect(f.sockets).toHaveLength(1);
    unwatch();
  });

  it('going online while waiting on a backoff timer reconnects at once', () => {
    let online = true;
    const win = fakeWindow();
    const f = socketFixture({ canAttempt: browserCanAttempt(() => true, () => online) });
    watchBrowser(f.socket, win, () => true, () => online);
    f.socket.connect();
    f.last().fireOpen();
    online = false;
    f.last().fireClose(1006);
    f.clock.advance(70_000); // the retry fires while offline: nothing attempted
    expect(f.sockets).toHaveLength(1);
    online = true;
    win.fire('online');
    expect(f.sockets).toHaveLength(2);
  });

  it('the unsubscribe removes both listeners, once', () => {
    const win = fakeWindow();
    const f = socketFixture();
    const unwatch = watchBrowser(f.socket, win, () => true, () => true);
    expect(win.count()).toBe(2);
    unwatch();
    unwatch();
    expect(win.count()).toBe(0);
    f.socket.connect();
    f.last().fireClose(1006);
    win.fire('online');
    expect(f.sockets).toHaveLength(1);
  });
});
