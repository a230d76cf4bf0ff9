/**
 * Builds the dashboard (`vite build`) when `pulse start` finds no `dist/index.html`, so a fresh
 * clone needs only `npm install && npm start`. The build runs as a child process with its output
 * passed through, prefixed, as progress; a failed build is reported and the hub starts anyway (it
 * then serves a page saying the dashboard is not built).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where vite.config.ts and dist/ live), wherever `pulse` is run from. */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const defaultStaticDir = join(packageRoot, 'dist');

export function isBuilt(staticDir: string): boolean {
  return existsSync(join(staticDir, 'index.html'));
}

export type BuildResult = { ok: true; ms: number } | { ok: false; ms: number; why: string };

export function buildSpa(write: (line: string) => void, timeoutMs = 300_000): Promise<BuildResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const child = spawn(npx, ['vite', 'build'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') write(`  build │ ${line.trimEnd()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, ms: Date.now() - started, why: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (code === 0) resolve({ ok: true, ms });
      else resolve({ ok: false, ms, why: signal ? `killed by ${signal}` : `exit code ${code}` });
    });
  });
}
