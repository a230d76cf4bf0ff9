/**
 * One process of the system under test (hub, gateway, simulator, a CLI call): its output captured
 * line by line — with tokens redacted *before* anything is stored, so no failure report, trace or
 * attachment can ever carry one — and bounded waits for a line or for its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** JWTs, `#token=…` links and `bearer.…` subprotocols, whatever printed them. */
export function redact(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/token=[^\s&#"']+/g, 'token=<redacted>')
    .replace(/bearer\.[^\s,"']+/g, 'bearer.<redacted>');
}

const maxLines = 5000;

export interface ChildOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Receives every raw stdout line (the only place an unredacted line exists, e.g. a printed link). */
  onStdoutLine?: (line: string) => void;
}

export class Child {
  readonly name: string;
  private readonly proc: ChildProcess;
  private readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitState: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(o: ChildOptions) {
    this.name = o.name;
    this.proc = spawn(o.command, o.args, { cwd: o.cwd, env: { ...process.env, FORCE_COLOR: '0', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.capture(this.proc.stdout, 'out', o.onStdoutLine);
    this.capture(this.proc.stderr, 'err');
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitState = { code, signal };
        this.lines.push(`[${this.name}] exited code=${code} signal=${signal}`);
        this.wake();
        resolve(this.exitState);
      });
      this.proc.once('error', (error) => {
        this.exitState = { code: null, signal: null };
        this.lines.push(`[${this.name}] failed to start: ${error.message}`);
        this.wake();
        resolve(this.exitState);
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitState === null;
  }

  /** Everything it printed so far, redacted, each line prefixed with the process name. */
  output(): string {
    return this.lines.join('\n');
  }

  /** The first line (redacted) matching `pattern`, waiting at most `timeoutMs`; fails fast if it exits. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.lines) {
        const m = line.match(pattern);
        if (m) return m;
      }
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const wake = (): void => done();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
      this.waiters.clear();
    }
  }

  /** Sends `signal` and waits (bounded) for the exit; SIGKILL if it is still there after the bound. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.proc.kill(signal);
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), timeoutMs).unref());
    if ((await Promise.race([this.exited, timer])) === 'late') {
      this.lines.push(`[${this.name}] still running ${timeoutMs} ms after ${signal}: SIGKILL`);
      this.proc.kill('SIGKILL');
      await this.exited;
    }
  }

  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  private capture(stream: NodeJS.ReadableStream | null, kind: 'out' | 'err', onLine?: (line: string) => void): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.add(line, kind, onLine);
    });
    stream.on('end', () => {
      if (partial) this.add(partial, kind, onLine);
      partial = '';
    });
  }

  private add(line: string, kind: 'out' | 'err', onLine?: (line: string) => void): void {
    onLine?.(line);
    this.lines.push(`[${this.name}${kind === 'err' ? ':err' : ''}] ${redact(line)}`);
    // A chatty process must not grow without bound; the start-up lines waited for come first.
    if (this.lines.length > maxLines) this.lines.splice(200, this.lines.length - maxLines);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }
}
