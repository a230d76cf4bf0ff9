/**
 * What the gateway bench's processes say to each other over the IPC channel of `fork`, and how a
 * TypeScript child is started.
 *
 * Why children at all: the gateway's CPU and RSS must be its own, not mixed with the terminals'
 * (or the orchestrator's), so the gateway runs alone in one process and the terminals in another.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

export type ProbeMode = 'on' | 'off';

/** orchestrator → gateway child, once at start. */
export interface GatewayChildConfig {
  type: 'config';
  secret: string;
  probe: ProbeMode;
  heartbeatIntervalMs: number;
}

/** orchestrator → either child. `gc` runs a full collection first (children run with --expose-gc). */
export interface SampleRequest {
  type: 'sample';
  id: number;
  gc: boolean;
}

/** Either child → orchestrator: its own process figures, read inside it. */
export interface ProcessSample {
  type: 'sample';
  id: number;
  /** process.cpuUsage(): getrusage of the whole process, every thread (GC, libuv pool) included. */
  userUs: number;
  systemUs: number;
  rss: number;
  heapUsed: number;
  /** V8 heap reserved (used + free pages it keeps), and memory outside it held by JS objects (Buffers). */
  heapTotal: number;
  external: number;
  /** Resident size of V8's young generation: it grows with the allocation rate (up to 2 semi-spaces: 16 MiB each by default, capped for the gateway by cli/v8-flags.js), not with connections. */
  youngGen: number;
  /** Old space: resident, and used by live objects after the last GC (the gap is fragmentation). */
  oldSpace: number;
  oldSpaceUsed: number;
  /** Gateway: authenticated connections. Terminals: sockets open. */
  connections: number;
  /** Gateway with probe on: events folded and frames flushed so far. */
  probeEvents?: number;
  probeFrames?: number;
  /** Node probe bench (bench/probe): events the probe dropped from its full buffer so far. */
  probeDropped?: number;
  /** Proxy bench's proxy only: V8's GC pauses of its main thread since its previous sample (forced GCs excluded), ms. */
  gcPauses?: { count: number; totalMs: number; maxMs: number };
  /** Terminals only: the heartbeat RTTs measured since the last `reset-rtt`, ms. */
  rtt?: { count: number; p50: number | null; p99: number | null; max: number | null };
  /** Terminals only: connect attempts that failed, and connections that closed, so far. */
  connectFails?: number;
  closes?: number;
  pongs?: number;
}

/** gateway child → orchestrator, once listening. */
export interface GatewayReady {
  type: 'ready';
  url: string;
}

/** orchestrator → terminals child, once at start: the fleet to hold. */
export interface TerminalsConfig {
  type: 'config';
  url: string;
  secret: string;
  terminals: number;
  perRestaurant: number;
  rampPerSec: number;
  heartbeatIntervalMs: number;
  sourceAddresses: number;
  /** Where each terminal presents its JWT: the `bearer.` subprotocol (default), or `?token=` with no subprotocol (gateways that read only the query, e.g. examples/). */
  tokenVia?: 'subprotocol' | 'query';
}

/** terminals child → orchestrator: tokens are signed, the ramp can start on `start`. */
export interface TerminalsReady {
  type: 'ready';
}

export type ToChild = GatewayChildConfig | TerminalsConfig | SampleRequest | { type: 'start' } | { type: 'reset-rtt' } | { type: 'exit' };
export type FromChild = GatewayReady | TerminalsReady | ProcessSample;

/**
 * Forks a TypeScript entry file with tsx as its loader (the repo has no build step) and
 * `--expose-gc`, so the RSS readings can follow a full collection: the steady footprint rather
 * than whatever garbage the last seconds left behind.
 */
export function forkTs(entry: URL, extraExecArgv: string[] = []): ChildProcess {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return fork(entry, [], {
    execArgv: ['--import', tsx, '--expose-gc', ...extraExecArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** In a child: the figures every sample carries. */
export function ownFigures(): Pick<ProcessSample, 'userUs' | 'systemUs' | 'rss' | 'heapUsed' | 'heapTotal' | 'external' | 'youngGen' | 'oldSpace' | 'oldSpaceUsed'> {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const spaces = getHeapSpaceStatistics();
  const youngGen = spaces.find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
  const old = spaces.find((s) => s.space_name === 'old_space');
  return {
    userUs: cpu.user,
    systemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    youngGen,
    oldSpace: old?.physical_space_size ?? 0,
    oldSpaceUsed: old?.space_used_size ?? 0,
  };
}

/** In a child: a full GC when asked and available (it is: forkTs passes --expose-gc). */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

/** In a child: send to the parent; a parent that went away means the bench is over. */
export function toParent(message: FromChild): void {
  if (!process.send || !process.connected) {
    process.exit(0);
  }
  process.send(message);
}
