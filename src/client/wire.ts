/**
 * Attaching to and letting go of one WebSocketLike, whichever implementation it is.
 */
import type { WebSocketLike } from './socket-types.ts';

/**
 * Left as `onerror` on a released socket. `ws` emits 'error' after `close()` during the handshake
 * (and on late resets); an EventEmitter 'error' with no listener throws and would crash the
 * process, so a released socket keeps this one shared no-op — it holds no reference to us.
 */
export function ignoreLateError(): void {}

/** The socket can no longer reach us: no handler of ours stays attached (engine.io-client#693). */
export function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = ignoreLateError;
}

/**
 * Close without throwing. Browsers and `ws` throw on codes other than 1000 and 3000–4999 and on
 * reasons over 123 bytes; `drop(1006)` from a test must still close the socket.
 */
export function safeClose(ws: WebSocketLike, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    try {
      ws.close();
    } catch {
      // Already closed, or an implementation that refuses: it is detached either way.
    }
  }
}

/** Sends only on an OPEN socket (readyState 1); `ws` throws while CONNECTING. */
export function safeSend(ws: WebSocketLike, data: string): boolean {
  if (ws.readyState !== 1) return false;
  try {
    ws.send(data);
    return true;
  } catch {
    return false;
  }
}
