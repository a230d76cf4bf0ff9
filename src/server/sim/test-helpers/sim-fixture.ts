/**
 * Shared pieces of the simulator's integration tests: a real gateway on an ephemeral port with
 * compressed heartbeats and a probe that keeps its lifecycle events, one that can be killed and
 * restarted on the same port, bounded waits, and a ground-truth reader.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../gateway/gateway.ts';
import type { Gateway, GatewayOptions } from '../../gateway/gateway.ts';
import type { ProbeEvent } from '../../../protocol/probe-events.ts';
import type { TruthEvent } from '../truth-events.ts';

export const testSecret = 'sim-test-secret-0123456789abcdef';
/** Compressed intervals: a 15 s heartbeat becomes 200 ms, the 5 s grace 100 ms. */
export const heartbeatMs = 200;
export const graceMs = 100;

export interface TestGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly port: number;
  /** Lifecycle probe events (no traffic), across restarts. */
  readonly events: ProbeEvent[];
  /** close(), stay down `downMs`, then listen again on the same port. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestGateway(extra: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const events: ProbeEvent[] = [];
  const options: GatewayOptions = {
    secret: testSecret,
    port: 0,
    heartbeatIntervalMs: heartbeatMs,
    heartbeatGraceMs: graceMs,
    probe: { emit: (e) => events.push(e) },
    probeTraffic: false,
    ...extra,
  };
  let gateway = await startGateway(options);
  const port = gateway.port;
  return {
    get gateway() {
      return gateway;
    },
    url: gateway.url,
    port,
    events,
    async restart(downMs) {
      await gateway.close();
      await sleep(downMs);
      gateway = await startGateway({ ...options, port });
    },
    close: () => gateway.close(),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes (then throws, naming `what`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    if (check()) return;
    await sleep(20);
  }
  if (!check()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A fresh temporary folder, removed by the returned `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-sim-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readTruth(path: string): TruthEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TruthEvent);
}

/** Sum of `pulse_gateway_connections{…}` samples in a Prometheus text exposition. */
export function connectionsInMetrics(text: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^pulse_gateway_connections\{[^}]*\} (\d+(?:\.\d+)?)$/.exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

export function closesOf(events: readonly ProbeEvent[], tids: ReadonlySet<string>): Extract<ProbeEvent, { type: 'close' }>[] {
  return events.filter((e): e is Extract<ProbeEvent, { type: 'close' }> => e.type === 'close' && tids.has(e.tid));
}
