/**
 * What `npm run bench:proxy` is held to, and how many terminals one proxy process can carry here.
 * Pure, so the descriptor arithmetic is tested rather than trusted.
 */
import { readFileSync } from 'node:fs';

/** The proxy child reads its upstream from here (ChildHandle's messages are the gateway bench's). */
export const upstreamEnv = 'PULSE_BENCH_UPSTREAM';

export const targets = {
  /** Added to the heartbeat RTT's p99 by the extra hop. */
  addedP99Ms: 1,
  proxyCpuPctOfOneCore: 10,
  proxyRssPerTerminalBytes: 12 * 1024,
} as const;

export const defaultTerminals = 10_000;

/** A proxy holds two sockets per terminal: the terminal's leg and its own leg to the upstream. */
export const descriptorsPerTerminal = 2;

/** Descriptors an idle proxy child holds (stdio, IPC, epoll, tsx's loader) and room for dials in flight. */
export const descriptorReserve = 200;

/** The soft and hard "Max open files" of this process (children inherit them), or null off Linux. */
export function descriptorLimits(limitsText?: string): { soft: number; hard: number } | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!m) return null;
  const n = (v: string) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: n(m[1]!), hard: n(m[2]!) };
}

/** The most terminals one proxy process can carry under `limit` descriptors, in whole hundreds. */
export function terminalsThatFit(limit: number): number {
  if (!Number.isFinite(limit)) return Number.MAX_SAFE_INTEGER;
  return Math.max(0, Math.floor((limit - descriptorReserve) / descriptorsPerTerminal / 100) * 100);
}
