/**
 * `pulse <command>` as a user runs it, for the CLI tests: a real child process through
 * bin/pulse.js, its stdout and stderr kept, waits on what it prints, and a cleanup that kills
 * whatever is still running and removes the test's data folders.
 *
 *   const cli = cliChildren();
 *   afterEach(cli.cleanup);
 *   const p = cli.run(['gateway', '--port', '0', '--data', cli.tempDir()]);
 *   const [, url] = await p.waitFor(/listening on (\S+)/);
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const bin = join(import.meta.dirname, '../../../../bin/pulse.js');

export interface CliChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  /** Resolves once its output is complete too (stdio closed), with the exit code: read `out()` after this. */
  readonly closed: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stdout (already printed or to come). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  out(): string;
  err(): string;
}

export function cliChildren() {
  const children: ChildProcessWithoutNullStreams[] = [];
  const dirs: string[] = [];
  return {
    /**
     * `env`: added to the environment, from which PULSE_SECRET is removed (each test's data folder
     * makes its own). `detached`: the CLI leads a process group of its own, as in a terminal,
     * where Ctrl-C signals the group. `killAfterMs`: SIGKILL it then, so a hung command fails its
     * test instead of holding it.
     */
    run(args: string[], { detached = false, env: extra = {}, killAfterMs }: { detached?: boolean; env?: Record<string, string>; killAfterMs?: number } = {}): CliChild {
      const env = { ...process.env };
      delete env.PULSE_SECRET;
      Object.assign(env, extra);
      const child = spawn(process.execPath, [bin, ...args], { env, detached });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
      if (killAfterMs !== undefined) {
        const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        void exited.then(() => clearTimeout(killer));
      }
      const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
        new Promise<RegExpMatchArray>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${pattern} in stdout within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
          const check = () => {
            const m = stdout.match(pattern);
            if (!m) return;
            clearTimeout(timer);
            child.stdout.off('data', check);
            resolve(m);
          };
          child.stdout.on('data', check);
          check();
        });
      return { child, exited, closed, waitFor, out: () => stdout, err: () => stderr };
    },
    tempDir(prefix = 'pulse-cli-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Polls `read` every 200 ms until `ok` holds (then returns the value) or `timeoutMs` passes. */
export async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}
