/**
 * A small POS terminal that passes every check of `pulse audit terminal` — unless one fault is
 * switched on, each one a real terminal shipped with: a fixed 0.5 s retry, a retry after 4001,
 * and a second socket opened while the first is open (two reconnect timers, one from `error` and
 * one from `close`, the second socket closed a moment later). Besides the fault it does what the
 * resilient socket does: backoff from core/backoff, reset only after a stable connection with a
 * pong, any message refreshing liveness, a dead link dropped after two intervals of silence.
 */
import WebSocket from 'ws';
import { backoffDelay } from '../../../core/backoff.ts';
import { seededRandom } from '../../../core/clock.ts';
import { bearerPrefix, posSubprotocol } from '../../../protocol/pos-messages.ts';

export const terminalFaults = ['fixed-500ms', 'retry-after-4001', 'second-connection'] as const;
export type TerminalFault = (typeof terminalFaults)[number];

export interface FaultyTerminalOptions {
  url: string;
  token: string;
  intervalMs: number;
  baseMs: number;
  capMs: number;
  stableMs: number;
  fault?: TerminalFault;
  seed?: number;
}

export function startFaultyTerminal(o: FaultyTerminalOptions): { stop(): void } {
  const random = seededRandom(o.seed ?? 5);
  let attempts = 0;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const live = new Set<WebSocket>();

  const open = (primary: boolean): void => {
    const ws = new WebSocket(o.url, [posSubprotocol, bearerPrefix + o.token], { perMessageDeflate: false });
    live.add(ws);
    let openedAt = 0;
    let lastHeard = 0;
    let seq = 0;
    let timers: ReturnType<typeof setInterval>[] = [];
    ws.on('error', () => {});
    ws.on('open', () => {
      openedAt = lastHeard = Date.now();
      if (!primary) {
        // The fault's cleanup: the twin is noticed and closed, without a reconnect of its own.
        setTimeout(() => ws.terminate(), 100);
        return;
      }
      const ping = () => ws.send(JSON.stringify({ type: 'ping', seq: ++seq, timestamp: Date.now() }));
      ping();
      timers = [
        setInterval(ping, o.intervalMs),
        setInterval(() => {
          if (Date.now() - lastHeard > 2 * o.intervalMs) ws.terminate(); // a dead link
        }, Math.max(10, o.intervalMs / 4)),
      ];
    });
    ws.on('message', (data) => {
      lastHeard = Date.now();
      const m = JSON.parse(data.toString()) as { type?: string };
      if (m.type === 'pong' && Date.now() - openedAt >= o.stableMs) attempts = 0;
    });
    ws.on('close', (code) => {
      live.delete(ws);
      for (const t of timers) clearInterval(t);
      if (!primary || stopped) return;
      if (code === 4001 && o.fault !== 'retry-after-4001') return; // this token will never work
      const delay = o.fault === 'fixed-500ms' ? 500 : backoffDelay(attempts++, random, { baseMs: o.baseMs, capMs: o.capMs });
      retry = setTimeout(() => {
        open(true);
        if (o.fault === 'second-connection') open(false);
      }, delay);
    });
  };
  open(true);
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      for (const ws of live) ws.terminate();
    },
  };
}
