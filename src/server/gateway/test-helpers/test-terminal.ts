/**
 * A bare POS terminal for gateway tests: a real `ws` client that records every frame and its
 * close, with bounded waits. Deliberately not the resilient socket — these tests need to send
 * exactly what they say (a ping in the same tick as `open`, a binary frame, 100 KiB of junk).
 */
import WebSocket from 'ws';
import { decodeGatewayMessage } from '../../../protocol/codec.ts';
import type { GatewayMessage } from '../../../protocol/pos-messages.ts';
import { bearerPrefix, posSubprotocol } from '../../../protocol/pos-messages.ts';
import type { ProbeEvent, ProbeSink } from '../../../protocol/probe-events.ts';

export interface TestTerminal {
  readonly ws: WebSocket;
  readonly messages: GatewayMessage[];
  /** Frames the gateway sent that do not decode as gateway messages (should stay empty). */
  readonly undecodable: string[];
  /** Response headers of the upgrade (to check what the server echoed). */
  readonly upgradeHeaders: Promise<Record<string, string | string[] | undefined>>;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The first frame of `type` (matching `where`) received so far or within `timeoutMs`. */
  next<T extends GatewayMessage['type']>(type: T, where?: (m: Extract<GatewayMessage, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<GatewayMessage, { type: T }>>;
  ping(seq: number, rtt?: number): void;
  sendJson(value: unknown): void;
}

export type Auth =
  | { kind: 'subprotocol'; token: string; offerPulse?: boolean }
  | { kind: 'query'; token: string }
  | { kind: 'none' };

export interface ConnectOptions {
  /** Runs inside the `open` event, i.e. in the same tick as the handshake completes. */
  onOpen?: (t: TestTerminal) => void;
}

export function connectTerminal(url: string, auth: Auth, options: ConnectOptions = {}): TestTerminal {
  let target = url;
  let protocols: string[] = [];
  if (auth.kind === 'query') target = `${url}?token=${encodeURIComponent(auth.token)}`;
  if (auth.kind === 'subprotocol') protocols = auth.offerPulse === false ? [bearerPrefix + auth.token] : [posSubprotocol, bearerPrefix + auth.token];
  const ws = new WebSocket(target, protocols, { perMessageDeflate: false });
  const messages: GatewayMessage[] = [];
  const undecodable: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('error', () => {}); // refused handshakes and resets are what several tests are about

  const upgradeHeaders = new Promise<Record<string, string | string[] | undefined>>((resolve) => ws.once('upgrade', (res) => resolve(res.headers)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of waiters) w();
    }),
  );

  ws.on('message', (data) => {
    const text = data.toString();
    const decoded = decodeGatewayMessage(text);
    if (decoded.ok) messages.push(decoded.value);
    else undecodable.push(text);
    for (const w of waiters) w();
  });

  const t: TestTerminal = {
    ws,
    messages,
    undecodable,
    upgradeHeaders,
    opened,
    closed,
    next(type, where = () => true, timeoutMs = 2000) {
      let from = 0;
      return new Promise((resolve, reject) => {
        const check = () => {
          for (; from < messages.length; from++) {
            const m = messages[from]!;
            if (m.type === type && where(m as never)) {
              waiters.delete(check);
              clearTimeout(timer);
              from++;
              resolve(m as never);
              return;
            }
          }
          if (ws.readyState === WebSocket.CLOSED) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`closed before a ${type} frame arrived`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${type} frame within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    ping(seq, rtt) {
      t.sendJson(rtt === undefined ? { type: 'ping', seq, timestamp: Date.now() } : { type: 'ping', seq, timestamp: Date.now(), rtt });
    },
    sendJson(value) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(value));
    },
  };
  if (options.onOpen) ws.once('open', () => options.onOpen!(t));
  return t;
}

/** A probe sink that keeps what it gets, with a bounded wait for an event. */
export class RecordingProbe implements ProbeSink {
  readonly events: ProbeEvent[] = [];
  private waiters = new Set<() => void>();

  emit(event: ProbeEvent): void {
    this.events.push(event);
    for (const w of this.waiters) w();
  }

  of<T extends ProbeEvent['type']>(type: T): Extract<ProbeEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ProbeEvent, { type: T }> => e.type === type);
  }

  waitFor<T extends ProbeEvent['type']>(type: T, match: (e: Extract<ProbeEvent, { type: T }>) => boolean = () => true, timeoutMs = 3000): Promise<Extract<ProbeEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.of(type).find(match);
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} probe event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

/** Resolves after `ms`; for "nothing happened meanwhile" checks, kept short. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Value of one series in Prometheus text, or undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
