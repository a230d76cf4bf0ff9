/**
 * The hub the probes report to in `npm run bench:probe`: a real Pulse hub (the UI bench's hub
 * child: `pulse start --no-sim` in a process of its own, over a throwaway data directory), so the
 * probe on is measured doing what it does in production — batching over a real `/ingest` socket
 * and reading the hub's answers — and the hub's own CPU stays out of the gateway's figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface BenchHub {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  stop(): Promise<void>;
}

const startTimeoutMs = 30_000;

export async function startBenchHub(secret: string): Promise<BenchHub> {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-probe-bench-hub-'));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const entry = new URL('../ui/hub-child.ts', import.meta.url);
  // The secret in the environment, not argv (ps shows argv to every user).
  const child = spawn(process.execPath, ['--import', tsx, entry.pathname, join(dir, 'data'), join(dir, 'no-dist')], {
    env: { ...process.env, PULSE_SECRET: secret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A bench that fails and exits (process.exit) must not leave its hub behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bench hub did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
      void exited.then(() => reject(new Error('the bench hub exited before it was ready')));
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { hub: string }).hub);
        } catch {
          reject(new Error(`the bench hub said ${JSON.stringify(line.slice(0, 200))}`));
        }
      });
    });
    return {
      url,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        remove();
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    remove();
    throw error;
  }
}
