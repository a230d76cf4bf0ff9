/**
 * A WebSocketLike that does nothing until a test says so: `fireOpen`, `fireMessage`, `fireError`,
 * `fireClose`. The factory records every socket it created, which is how tests count attempts.
 */
import type { SocketFactory, WebSocketLike } from '../socket-types.ts';

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  protocol = '';
  bufferedAmount = 0;
  /** When set, handlers can no longer be replaced: as if their events were already queued. */
  sticky = false;
  #handlers: {
    open: WebSocketLike['onopen'];
    message: WebSocketLike['onmessage'];
    close: WebSocketLike['onclose'];
    error: WebSocketLike['onerror'];
  } = { open: null, message: null, close: null, error: null };
  readonly sent: string[] = [];
  readonly closeCalls: Array<{ code: number | undefined; reason: string | undefined }> = [];

  constructor(
    readonly url: string,
    readonly protocols: string[],
    readonly createdAt: number,
  ) {}

  get onopen(): WebSocketLike['onopen'] {
    return this.#handlers.open;
  }
  set onopen(h: WebSocketLike['onopen']) {
    if (!this.sticky) this.#handlers.open = h;
  }
  get onmessage(): WebSocketLike['onmessage'] {
    return this.#handlers.message;
  }
  set onmessage(h: WebSocketLike['onmessage']) {
    if (!this.sticky) this.#handlers.message = h;
  }
  get onclose(): WebSocketLike['onclose'] {
    return this.#handlers.close;
  }
  set onclose(h: WebSocketLike['onclose']) {
    if (!this.sticky) this.#handlers.close = h;
  }
  get onerror(): WebSocketLike['onerror'] {
    return this.#handlers.error;
  }
  set onerror(h: WebSocketLike['onerror']) {
    if (!this.sticky) this.#handlers.error = h;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send while readyState ${this.readyState}`);
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    // Like browsers and ws: only 1000 and 3000–4999 may be sent.
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new RangeError(`invalid close code ${code}`);
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  fireOpen(protocol = ''): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.onopen?.({});
  }

  fireMessage(data: unknown): void {
    this.onmessage?.({ data });
  }

  fireError(): void {
    this.onerror?.({});
  }

  fireClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }

  /** Handlers still attached that could call back into the owner (onerror may stay as a no-op sink). */
  get attachedHandlers(): number {
    return [this.onopen, this.onmessage, this.onclose].filter((h) => h !== null).length;
  }

  /** Pings sent, decoded. */
  get pings(): Array<{ seq: number; timestamp: number; rtt?: number }> {
    return this.sent
      .filter((s) => s.startsWith('{"type":"ping"'))
      .map((s) => JSON.parse(s) as { seq: number; timestamp: number; rtt?: number });
  }
}

export interface FakeSocketFactory {
  readonly factory: SocketFactory;
  readonly sockets: FakeSocket[];
  /** The newest socket; throws when none was created (a test bug, not a socket state). */
  last(): FakeSocket;
}

export function fakeSocketFactory(now: () => number = () => 0): FakeSocketFactory {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url, protocols) => {
      const socket = new FakeSocket(url, protocols, now());
      sockets.push(socket);
      return socket;
    },
    last() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
}

/** The gateway's answer to a ping frame. */
export function pongFor(pingFrame: string, timestamp = 0): string {
  const { seq } = JSON.parse(pingFrame) as { seq: number };
  return JSON.stringify({ type: 'pong', seq, timestamp });
}
