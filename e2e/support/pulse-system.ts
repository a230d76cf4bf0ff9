/**
 * The real system under test, as child processes in a temp data folder on free ports: hub and
 * gateway (see topology.ts for how they are split), and a `pulse sim` fleet playing a scenario the
 * spec wrote, with its ground truth in NDJSON. The hub can be killed with SIGKILL and started again
 * on the same port and data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { scenarioSchema } from '../../src/server/sim/scenario.ts';
import { Child } from './child.ts';
import { freePorts } from './free-port.ts';
import { pipeline, stopRank, topology, type Topology } from './topology.ts';
import { readTruth, type TruthEvent } from './truth.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
const pulseBin = join(repoRoot, 'bin', 'pulse.js');

export type ScenarioInput = z.input<typeof scenarioSchema>;

/** The simulated terminals' backoff: a fleet back within a second or two of a restart keeps the specs short. */
export const e2eBackoff = { baseMs: 300, capMs: 2000 } as const;

export interface SystemOptions {
  /** Written to a file and played by `pulse sim --scenario`. */
  scenario: ScenarioInput;
  /** Compressed so faults show in seconds; gateway and simulator are given the same value. */
  heartbeatMs?: number;
  graceMs?: number;
  seed?: number;
  /** The hub's `--alerts-file` (default: the shipped rules). */
  alertsFile?: string;
}

export interface PulseSystem {
  readonly topology: Topology;
  readonly hubUrl: string;
  readonly gatewayUrl: string;
  readonly dataDir: string;
  readonly truthPath: string;
  readonly heartbeatMs: number;
  /** Two intervals plus grace: how long the gateway waits before terminating a silent terminal. */
  readonly heartbeatTimeoutMs: number;
  /** The link the hub printed (`http://…/#token=…`, an engineer's). Never log it. */
  readonly printedLink: string;
  truth(): TruthEvent[];
  /** Runs `pulse <args>` to completion (a CLI call such as `token viewer`) and returns its stdout. */
  cli(args: readonly string[]): Promise<string>;
  /** A terminal token minted with `pulse token terminal` (for a hand-driven terminal, support/terminal.ts). */
  terminalToken(restaurant: string, terminal: string): Promise<string>;
  /** A viewer link minted with `pulse token viewer` against this system's data folder. */
  viewerLink(role: 'support' | 'manager' | 'engineer', restaurants?: readonly string[]): Promise<string>;
  /** The same with a lifetime of `ttlSeconds` (an expired link in a second). */
  viewerLinkWithTtl(role: 'support' | 'engineer', ttlSeconds: number): Promise<string>;
  killHub(): Promise<void>;
  restartHub(): Promise<void>;
  /** Every process's output so far, tokens redacted. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startPulseSystem(o: SystemOptions): Promise<PulseSystem> {
  const heartbeatMs = o.heartbeatMs ?? 1000;
  const graceMs = o.graceMs ?? 500;
  const dataDir = mkdtempSync(join(tmpdir(), 'pulse-e2e-'));
  const truthPath = join(dataDir, 'truth.ndjson');
  const scenarioPath = join(dataDir, 'scenario.json');
  writeFileSync(scenarioPath, JSON.stringify(o.scenario, null, 2));
  const [hubPort, gatewayPort, redisPort] = await freePorts(3);
  const children: Child[] = [];
  const finished: Child[] = [];
  let printedLink = '';
  const parts = pipeline({
    repoRoot,
    dataDir,
    hubPort: hubPort!,
    gatewayPort: gatewayPort!,
    redisPort: redisPort!,
    heartbeatMs,
    graceMs,
    backoff: e2eBackoff,
    staticDir: process.env.PULSE_E2E_STATIC ?? join(repoRoot, 'dist'),
    ...(o.alertsFile ? { alertsFile: o.alertsFile } : {}),
    adopt: (child) => children.push(child),
  });
  const startHub = async (): Promise<Child> => {
    const { hub, link } = await parts.startHub();
    printedLink = link;
    return hub;
  };

  const startSim = (): Child => {
    const sim = new Child({
      name: 'sim',
      command: process.execPath,
      args: [
        pulseBin, 'sim',
        '--gateway', gatewayUrl,
        '--scenario', scenarioPath,
        '--truth', truthPath,
        '--data', dataDir,
        '--heartbeat-ms', String(heartbeatMs),
        '--seed', String(o.seed ?? 1),
        // The truth file is flushed with each progress line: 200 ms keeps it close to real time.
        '--progress-ms', '200',
        '--backoff-base-ms', String(e2eBackoff.baseMs),
        '--backoff-cap-ms', String(e2eBackoff.capMs),
      ],
      cwd: repoRoot,
    });
    children.push(sim);
    return sim;
  };

  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const gatewayUrl = `ws://127.0.0.1:${gatewayPort}/ws`;
  const stopAll = async (): Promise<void> => {
    const inOrder = [...children].sort((a, b) => (stopRank[a.name] ?? 0) - (stopRank[b.name] ?? 0));
    for (const c of inOrder) await c.stop('SIGTERM', 8000);
    rmSync(dataDir, { recursive: true, force: true });
  };
  let hub: Child;
  try {
    await parts.startRest();
    hub = await startHub();
    await startSim().waitForLine(/sim: \d+ terminals in \d+ restaurants/, 20_000);
  } catch (error) {
    await stopAll();
    throw error;
  }

  const cli = async (args: readonly string[]): Promise<string> => {
    let out = '';
    const c = new Child({ name: `pulse ${args.slice(0, 2).join(' ')}`, command: process.execPath, args: [pulseBin, ...args], cwd: repoRoot, onStdoutLine: (l) => (out += l + '\n') });
    finished.push(c);
    const timer = setTimeout(() => void c.stop('SIGKILL'), 20_000);
    const { code } = await c.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`pulse ${args[0]} ${args[1]} failed (exit ${code}):\n${c.tail()}`);
    return out;
  };

  return {
    topology,
    hubUrl,
    gatewayUrl,
    dataDir,
    truthPath,
    heartbeatMs,
    heartbeatTimeoutMs: 2 * heartbeatMs + graceMs,
    get printedLink() {
      return printedLink;
    },
    truth: () => readTruth(truthPath),
    cli,
    async terminalToken(restaurant, terminal) {
      return (await cli(['token', 'terminal', '--restaurant', restaurant, '--terminal', terminal, '--data', dataDir, '--ttl', '3600'])).trim();
    },
    async viewerLink(role, restaurants) {
      const args = ['token', 'viewer', '--role', role, '--data', dataDir, '--ttl', '3600', ...(restaurants ? ['--restaurants', restaurants.join(',')] : [])];
      return `${hubUrl}/#token=${(await cli(args)).trim()}`;
    },
    async viewerLinkWithTtl(role, ttlSeconds) {
      return `${hubUrl}/#token=${(await cli(['token', 'viewer', '--role', role, '--data', dataDir, '--ttl', String(ttlSeconds)])).trim()}`;
    },
    async killHub() {
      await hub.stop('SIGKILL');
    },
    async restartHub() {
      if (hub.running) throw new Error('restartHub: the hub is still running');
      hub = await startHub();
    },
    logs: () => [...finished, ...children].map((c) => c.output()).join('\n'),
    stop: stopAll,
  };
}
