/**
 * One connection of the auditor to a gateway, acting as a terminal: it sends exactly what a check
 * says (a ping in the same tick as `open`, a 65 KiB frame, junk) and records everything that comes
 * back — the upgrade's headers, each frame with its arrival time, the close — as plain data a
 * judge reads (gateway-checks.ts). Deliberately not the resilient socket: it never retries.
 */
import WebSocket from 'ws';
import { decodeGatewayMessage } from '../../protocol/codec.ts';
import type { GatewayMessage } from '../../protocol/pos-messages.ts';
import { bearerPrefix, posSubprotocol } from '../../protocol/pos-messages.ts';

export type Way = 'subprotocol' | 'query';

export interface ReceivedFrame {
  at: number;
  /** The frame decoded against the protocol; null when it does not decode (kept as `text`). */
  message: GatewayMessage | null;
  /** The first 200 characters, for the evidence. */
  text: string;
  bytes: number;
}

/** Everything observed on one connection, as data. Times come from the auditor's clock. */
export interface SocketRecord {
  way: Way;
  startedAt: number;
  /** Response headers of the 101 (or of the refusal), when the server answered at all. */
  headers: Record<string, string | string[] | undefined> | null;
  /** Why the handshake failed: "Unexpected server response: 401", "Server sent no subprotocol", ECONNREFUSED… */
  handshakeError: string | null;
  /** The HTTP status of a refused upgrade. */
  httpStatus: number | null;
  openedAt: number | null;
  frames: ReceivedFrame[];
  close: { at: number; code: number; reason: string } | null;
}

export interface AuditSocket {
  readonly record: SocketRecord;
  /** Resolves once the socket is open (true) or failed to open (false). */
  readonly settled: Promise<boolean>;
  /** Sends a text frame if the socket is open; returns the time it was handed to the socket, or null. */
  send(text: string): number | null;
  /** A protocol ping; returns when it was sent, or null when the socket is not open. */
  ping(seq: number): number | null;
  /** The first frame (already received or to come within `timeoutMs`) that `match` accepts, or null. */
  waitFrame(match: (f: ReceivedFrame) => boolean, timeoutMs: number): Promise<ReceivedFrame | null>;
  /** The close, if it happens within `timeoutMs`; null otherwise. */
  waitClose(timeoutMs: number): Promise<SocketRecord['close']>;
  /** Closes 1000 (and terminates after a moment), without recording the close as the gateway's. */
  end(): Promise<void>;
}

export interface OpenOptions {
  url: string;
  way: Way;
  /** null = no token at all (the subprotocol way then offers only `pulse.v1`). */
  token: string | null;
  now: () => number;
  /** Runs in the `open` event itself: the same tick as the handshake (PITFALLS.md). */
  onOpen?: (socket: AuditSocket) => void;
  handshakeTimeoutMs?: number;
}

function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export function openAuditSocket(o: OpenOptions): AuditSocket {
  const target = o.way === 'query' && o.token !== null ? withToken(o.url, o.token) : o.url;
  const protocols = o.way === 'subprotocol' ? (o.token === null ? [posSubprotocol] : [posSubprotocol, bearerPrefix + o.token]) : [];
  const record: SocketRecord = { way: o.way, startedAt: o.now(), headers: null, handshakeError: null, httpStatus: null, openedAt: null, frames: [], close: null };
  const ws = new WebSocket(target, protocols, { perMessageDeflate: false, handshakeTimeout: o.handshakeTimeoutMs ?? 5000 });
  const wake = new Set<() => void>();
  const notify = () => {
    for (const w of [...wake]) w();
  };
  let endedByUs = false;

  ws.on('upgrade', (res) => (record.headers = res.headers));
  ws.on('unexpected-response', (_req, res) => {
    record.httpStatus = res.statusCode ?? null;
    record.headers = res.headers;
    record.handshakeError = `Unexpected server response: ${res.statusCode}`;
    res.resume();
    ws.terminate();
  });
  ws.on('error', (error) => {
    if (record.openedAt === null && record.handshakeError === null) record.handshakeError = error.message;
  });
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? `<binary ${Buffer.byteLength(data as Buffer)} bytes>` : data.toString();
    const decoded = isBinary ? null : decodeGatewayMessage(text);
    record.frames.push({ at: o.now(), message: decoded?.ok ? decoded.value : null, text: text.slice(0, 200), bytes: Buffer.byteLength(text) });
    notify();
  });

  let settle!: (open: boolean) => void;
  const settled = new Promise<boolean>((resolve) => (settle = resolve));
  ws.on('open', () => {
    record.openedAt = o.now();
    settle(true);
    o.onOpen?.(socket);
  });
  ws.on('close', (code, reason) => {
    if (record.openedAt !== null && !endedByUs) record.close = { at: o.now(), code, reason: reason.toString('utf8').slice(0, 123) };
    settle(false);
    notify();
  });

  const until = <T>(value: () => T | null, timeoutMs: number): Promise<T | null> =>
    new Promise((resolve) => {
      const now = value();
      if (now !== null || ws.readyState === WebSocket.CLOSED) return resolve(now);
      const check = () => {
        const v = value();
        if (v === null && ws.readyState !== WebSocket.CLOSED) return;
        done(v);
      };
      const timer = setTimeout(() => done(value()), timeoutMs);
      const done = (v: T | null) => {
        clearTimeout(timer);
        wake.delete(check);
        resolve(v);
      };
      wake.add(check);
    });

  const socket: AuditSocket = {
    record,
    settled,
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) return null;
      const at = o.now();
      ws.send(text);
      return at;
    },
    ping(seq) {
      return socket.send(JSON.stringify({ type: 'ping', seq, timestamp: o.now() }));
    },
    waitFrame: (match, timeoutMs) => until(() => record.frames.find(match) ?? null, timeoutMs),
    waitClose: (timeoutMs) => until(() => record.close, timeoutMs),
    async end() {
      if (ws.readyState === WebSocket.CLOSED) return;
      endedByUs = true;
      const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'audit done');
      const timer = setTimeout(() => ws.terminate(), 1000);
      await gone;
      clearTimeout(timer);
    },
  };
  return socket;
}

/** Pongs in a record, by the seq they echo. */
export function pongsOf(record: SocketRecord): { seq: number; at: number }[] {
  return record.frames.flatMap((f) => (f.message?.type === 'pong' ? [{ seq: f.message.seq, at: f.at }] : []));
}
