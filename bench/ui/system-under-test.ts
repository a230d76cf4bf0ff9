/**
 * The system the UI bench drives, as child processes so the browser's figures are not skewed by
 * a server sharing its thread: hub + gateway (hub-child.ts, i.e. `pulse start --no-sim` serving
 * the bench's build) and the simulator (`pulse sim`), both signing with one throwaway secret over
 * a throwaway data folder. Their output is kept for the error message when one dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { signViewerToken } from '../../src/server/auth/tokens.ts';
import { seedTerminalDay } from './terminal-seed.ts';

const binPath = fileURLToPath(new URL('../../bin/pulse.js', import.meta.url));
const hubChildPath = fileURLToPath(new URL('./hub-child.ts', import.meta.url));

/**
 * Light faults that recur within any minute or two, so figures keep changing (a fleet where nothing
 * happens would flatter the stream and the list), on the networks of scenarios/light-faults.json.
 */
export const benchScenario = {
  name: 'bench-ui',
  description: 'npm run bench:ui: a large fleet with light, frequent faults',
  network: { default: 'wifi', mix: [{ profile: 'lan', share: 0.3 }, { profile: '4g', share: 0.15 }] },
  orders: { perTerminalPerMinute: 1 },
  faults: [
    { type: 'flap', at: 20, every: 60, duration: 30, everyS: 10, randomTerminals: 5 },
    { type: 'slow-network', at: 30, every: 300, duration: 120, profile: 'slow', randomRestaurants: 3 },
    { type: 'outage', at: 45, every: 120, duration: 30, randomRestaurants: 2 },
    { type: 'silent', at: 90, every: 300, duration: 60, randomTerminals: 2 },
  ],
};

export interface SystemOptions {
  restaurants: number;
  terminals: number;
  staticDir: string;
  /** Lifecycle events seeded for one terminal (the drill-down's 24 h view); 0 for none. */
  seedEvents: number;
  progress: (line: string) => void;
}

export interface RunningSystem {
  hubUrl: string;
  /** A support viewer's token (all restaurants). */
  token: string;
  /** Waits until at least `share` of the terminals are connected (the simulator's count). */
  /** Resolves once `share` of the terminals are connected; after `timeoutMs`, with the count if it reached `floor`. */
  connected(share: number, timeoutMs: number, floor?: number): Promise<number>;
  stop(): Promise<void>;
}

class Proc {
  readonly lines: string[] = [];
  private listeners = new Set<(line: string) => void>();
  readonly exited: Promise<number | null>;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          this.lines.push(line);
          if (this.lines.length > 400) this.lines.shift();
          for (const l of this.listeners) l(line);
        }
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }
  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  waitFor<T>(pick: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: nothing expected within ${timeoutMs} ms\n${this.tail()}`)), timeoutMs);
      const off = this.onLine((line) => {
        const value = pick(line);
        if (value !== undefined) done(null, value);
      });
      void this.exited.then((code) => done(new Error(`${this.name} exited (${code})\n${this.tail()}`)));
      function done(error: Error | null, value?: T): void {
        clearTimeout(timer);
        off();
        if (error) reject(error);
        else resolve(value as T);
      }
    });
  }
  tail(): string {
    return this.lines.slice(-20).map((l) => `  [${this.name}] ${l}`).join('\n');
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const late = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(late);
  }
}

export async function startSystem(o: SystemOptions): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pulse-bench-ui-'));
  const secret = randomBytes(32).toString('hex');
  const env = { ...process.env, PULSE_SECRET: secret, FORCE_COLOR: '0' };
  const procs: Proc[] = [];
  const stop = async (): Promise<void> => {
    // The fleet first, so the gateway's shutdown is not a mass outage the hub must write out.
    for (const p of [...procs].reverse()) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (o.seedEvents > 0) await seedTerminalDay(dataDir, o.seedEvents, Date.now());
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const hub = new Proc('hub', spawn(process.execPath, ['--import', tsx, hubChildPath, dataDir, o.staticDir], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    procs.push(hub);
    const urls = await hub.waitFor((line) => (line.startsWith('{"hub"') ? (JSON.parse(line) as { hub: string; gateway: string }) : undefined), 60_000);
    o.progress(`hub ${urls.hub}, gateway ${urls.gateway}`);

    const scenarioPath = join(dataDir, 'bench-ui-scenario.json');
    writeFileSync(scenarioPath, JSON.stringify(benchScenario, null, 2));
    const simArgs = ['sim', '--gateway', urls.gateway, '--restaurants', String(o.restaurants), '--terminals', String(o.terminals)];
    // 10,000 terminals opened within 2 s on a loaded machine miss the gateway's 5 s handshake
    // deadline by the thousand and retry for minutes: the ramp grows with the fleet (2 ms each).
    const rampMs = Math.max(2000, o.restaurants * o.terminals * 2);
    simArgs.push('--scenario', scenarioPath, '--ramp', String(rampMs), '--heartbeat-ms', '15000', '--seed', '7', '--progress-ms', '1000', '--data', dataDir);
    const sim = new Proc('sim', spawn(process.execPath, [binPath, ...simArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    procs.push(sim);
    let lastConnected = 0;
    sim.onLine((line) => {
      const m = /^sim: (\d+)\/(\d+) connected/.exec(line);
      if (m) lastConnected = Number(m[1]);
    });

    return {
      hubUrl: urls.hub,
      token: signViewerToken(secret, { sub: 'bench-ui', role: 'support' }, 86_400),
      connected: (share, timeoutMs, floor = share) =>
        sim.waitFor((line) => {
          const m = /^sim: (\d+)\/(\d+) connected/.exec(line);
          return m && Number(m[1]) >= share * Number(m[2]) ? Number(m[1]) : undefined;
        }, timeoutMs).catch((error: Error) => {
          if (lastConnected >= floor * o.restaurants * o.terminals) return lastConnected;
          throw new Error(`${error.message}\n(last count ${lastConnected})`);
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
