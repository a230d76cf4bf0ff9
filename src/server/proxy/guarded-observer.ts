/**
 * The observer runs on the proxy's hot path, written by someone else (the telemetry side): whatever
 * it does, it must not hurt a connection. Every call goes through a try/catch; a throw is counted
 * and logged (at most once a second, with how many were not logged) and the frame goes on.
 */
import type { Logger } from '../log/logger.ts';
import { throttleLog } from './log-throttle.ts';
import type { ConnectionObserver, ProxiedUpgrade, ProxyObserver } from './proxy-observer.ts';

const logEveryMs = 1000;

/** Shared by every connection when there is no observer: nothing allocated per connection. */
export const silent: ConnectionObserver = {
  opened() {},
  message() {},
  closed() {},
};

export interface ObserverGuard {
  /** The connection's observer, guarded (the silent one when there is none, or when `upgrade` threw). */
  upgrade(u: ProxiedUpgrade): ConnectionObserver;
  /** False when no observer was given: callers may skip building what only an observer reads. */
  readonly active: boolean;
}

export function guardObserver(observer: ProxyObserver | undefined, logger: Logger, counted: () => void): ObserverGuard {
  const throttled = throttleLog(logEveryMs);
  const failed = (where: string, error: unknown): void => {
    counted();
    throttled((notLoggedSinceLast) => logger.warn({ err: error, where, notLoggedSinceLast }, 'proxy observer threw (ignored)'));
  };

  class Guarded implements ConnectionObserver {
    constructor(private readonly inner: ConnectionObserver) {}
    opened(t: number, protocol: string): void {
      try {
        this.inner.opened(t, protocol);
      } catch (error) {
        failed('opened', error);
      }
    }
    message(t: number, dir: 'in' | 'out', data: Buffer, isBinary: boolean): void {
      try {
        this.inner.message(t, dir, data, isBinary);
      } catch (error) {
        failed('message', error);
      }
    }
    closed(t: number, code: number, reason: string, by: 'terminal' | 'upstream' | 'proxy'): void {
      try {
        this.inner.closed(t, code, reason, by);
      } catch (error) {
        failed('closed', error);
      }
    }
  }

  return {
    active: observer !== undefined,
    upgrade(u) {
      if (!observer) return silent;
      try {
        const inner = observer.upgrade(u);
        return inner ? new Guarded(inner) : silent;
      } catch (error) {
        failed('upgrade', error);
        return silent;
      }
    },
  };
}
