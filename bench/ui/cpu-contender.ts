/**
 * `--contended`: one core kept busy for the whole run at normal priority, as a support agent's
 * laptop running a dozen other tabs would (issue 17). It is started before the bench lowers its own
 * priority (cpu-priority.ts), so it competes with Chromium as an equal, not from below.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Contender {
  stop(): void;
}

/** A child process spinning on one core; `stop` kills it (it is also killed if we exit). */
export function startContender(): Contender {
  const child: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    stop() {
      process.off('exit', kill);
      kill();
    },
  };
}
