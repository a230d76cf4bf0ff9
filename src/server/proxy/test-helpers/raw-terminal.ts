/**
 * A terminal for proxy tests that speaks bytes, not the POS protocol: a `ws` client recording every
 * data message with its text/binary flag, every ping and pong, the upgrade response headers and the
 * close. Plus a recording observer, to check what the proxy tells the telemetry side.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import type { ConnectionObserver, ProxiedUpgrade, ProxyObserver } from '../proxy-observer.ts';

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

export interface RawTerminal {
  readonly ws: WebSocket;
  readonly received: Received[];
  readonly pongs: Buffer[];
  readonly pings: Buffer[];
  readonly upgradeHeaders: Promise<Record<string, string | string[] | undefined>>;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The n-th data message (0-based), when it arrives. */
  message(n: number, timeoutMs?: number): Promise<Received>;
}

export function openTerminal(url: string, protocols: string[] = [], options: ClientOptions = {}): RawTerminal {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
  ws.on('error', () => {});
  const received: Received[] = [];
  const pongs: Buffer[] = [];
  const pings: Buffer[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer, isBinary) => {
    received.push({ data, isBinary });
    for (const w of waiters) w();
  });
  ws.on('pong', (data) => pongs.push(data));
  ws.on('ping', (data) => pings.push(data));
  const upgradeHeaders = new Promise<Record<string, string | string[] | undefined>>((resolve) => ws.once('upgrade', (res) => resolve(res.headers)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    ws,
    received,
    pongs,
    pings,
    upgradeHeaders,
    opened,
    closed,
    message(n, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = received[n];
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no message #${n} within ${timeoutMs} ms (got ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/**
 * An upgrade as a browser sends it, answered as it comes: status and response headers (a ws client
 * would refuse a 101 without the protocol it offered before a test could look at it).
 */
export function rawUpgrade(port: number, path: string, protocolHeader?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') };
    if (protocolHeader !== undefined) headers['sec-websocket-protocol'] = protocolHeader;
    const req = request({ host: '127.0.0.1', port, path, headers });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

export type ObservedEvent =
  | { kind: 'opened'; protocol: string }
  | { kind: 'message'; dir: 'in' | 'out'; data: Buffer; isBinary: boolean }
  | { kind: 'closed'; code: number; reason: string; by: 'terminal' | 'upstream' | 'proxy' };

/** Keeps every upgrade and every call per connection, in order. */
export class RecordingObserver implements ProxyObserver {
  readonly upgrades: ProxiedUpgrade[] = [];
  readonly events = new Map<string, ObservedEvent[]>();

  upgrade(u: ProxiedUpgrade): ConnectionObserver {
    this.upgrades.push(u);
    const events: ObservedEvent[] = [];
    this.events.set(u.conn, events);
    return {
      opened: (_t, protocol) => void events.push({ kind: 'opened', protocol }),
      message: (_t, dir, data, isBinary) => void events.push({ kind: 'message', dir, data: Buffer.from(data), isBinary }),
      closed: (_t, code, reason, by) => void events.push({ kind: 'closed', code, reason, by }),
    };
  }

  /** Events of the n-th upgrade (0-based). */
  of(n: number): ObservedEvent[] {
    const u = this.upgrades[n];
    return u ? (this.events.get(u.conn) ?? []) : [];
  }

  closedOf(n: number): Extract<ObservedEvent, { kind: 'closed' }> | undefined {
    return this.of(n).find((e): e is Extract<ObservedEvent, { kind: 'closed' }> => e.kind === 'closed');
  }
}
