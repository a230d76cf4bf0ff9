/** The hub's guard knobs on the real CLI, on `pulse hub` and on `pulse start` (which runs a hub too): listed by --help, a bad value refused with a clear error before anything starts. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin } from './test-helpers/cli-child.ts';

const pulse = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

describe.each(['hub', 'start'])('pulse %s options', (command) => {
  it('lists --max-pending-per-source and --max-heavy-queries and refuses a bad value', () => {
    const help = pulse(command, '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--max-pending-per-source <n>/);
    expect(help.stdout).toMatch(/--max-heavy-queries <n>/);
    for (const [flag, value, message] of [['--max-heavy-queries', '0', '--max-heavy-queries must be a whole number from 1 to 64'], ['--max-pending-per-source', 'lots', '--max-pending-per-source must be a whole number from 1 to 100000']] as const) {
      const bad = pulse(command, flag, value, '--port', '0');
      expect(bad.status, flag).not.toBe(0);
      expect(bad.stderr).toContain(message);
    }
  });
});
