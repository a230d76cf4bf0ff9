/**
 * `pulse sim` as a user runs it: a child process against a real gateway, with the secret from
 * PULSE_SECRET, stopped by --duration or by SIGTERM, always with a summary and exit code 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTruth, startTestGateway, testSecret, waitFor } from '../sim/test-helpers/sim-fixture.ts';
import type { TestGateway } from '../sim/test-helpers/sim-fixture.ts';
import { cliChildren, type CliChild } from './test-helpers/cli-child.ts';

const cli = cliChildren();

/** `pulse <args>` with the test secret, run to its end (killed after 20 s). */
async function pulse(args: string[], onSpawn?: (child: CliChild['child']) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = cli.run(args, { env: { PULSE_SECRET: testSecret }, killAfterMs: 20_000 });
  onSpawn?.(p.child);
  const code = await p.closed;
  return { code, stdout: p.out(), stderr: p.err() };
}

let gw: TestGateway | undefined;
afterEach(async () => {
  cli.cleanup();
  await gw?.close();
  gw = undefined;
});

describe('pulse sim', () => {
  it('explains itself in --help', async () => {
    const run = await pulse(['sim', '--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--gateway', '--restaurants', '--terminals', '--scenario', '--duration', '--truth', '--seed', '--ramp', '--heartbeat-ms', '--data']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('restart the gateway yourself');
    expect(run.stdout).toContain('2-6');
  });

  it('runs for --duration against a real gateway, writes the truth, prints a summary, exits 0', async () => {
    const dir = cli.tempDir('pulse-sim-cli-');
    const truth = join(dir, 'truth.ndjson');
    gw = await startTestGateway();
    const run = await pulse(['sim', '--gateway', gw.url, '--restaurants', '2', '--terminals', '2', '--duration', '2', '--heartbeat-ms', '200', '--truth', truth, '--progress-ms', '300', '--data', dir]);
    expect(run.stderr).toContain('4/4 connected');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 restaurants, 4 terminals/);
    expect(run.stdout).toMatch(/4 opened, 4 closed \(codes 1000×4\)/);
    const lines = readTruth(truth);
    expect(lines.filter((e) => e.ev === 'open')).toHaveLength(4);
    expect(lines.filter((e) => e.ev === 'close' && e.code === 1000)).toHaveLength(4);
    expect(gw.events.filter((e) => e.type === 'close').map((e) => e.type === 'close' && e.code)).toEqual([1000, 1000, 1000, 1000]);
    // Tokens never reach the output.
    expect(run.stdout + run.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('closes every terminal with 1000 on SIGTERM, prints the summary and exits 0', async () => {
    gw = await startTestGateway();
    const gateway = gw;
    const run = await pulse(['sim', '--gateway', gw.url, '--restaurants', '3', '--terminals', '1-2', '--heartbeat-ms', '200', '--seed', '9'], (child) => {
      void waitFor('the fleet to connect', () => gateway.gateway.connectionCount() >= 3, 15_000).then(() => child.kill('SIGTERM'));
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('SIGTERM, closing every terminal');
    expect(run.stdout).toContain('sim summary');
    expect(gateway.gateway.connectionCount()).toBe(0);
    const closes = gateway.events.filter((e) => e.type === 'close');
    expect(closes.length).toBeGreaterThanOrEqual(3);
    expect(closes.every((e) => e.type === 'close' && e.code === 1000 && !e.byServer)).toBe(true);
  });

  it('refuses a bad scenario file with the path of the bad field, exit 1', async () => {
    const dir = cli.tempDir('pulse-sim-cli-');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ faults: [{ type: 'outage', at: 1, duration: -4, restaurants: ['r-001'] }] }));
    const run = await pulse(['sim', '--scenario', file, '--duration', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: invalid scenario`);
    expect(run.stderr).toMatch(/faults\[0\]\.duration: /);
  });

  it('refuses a malformed --terminals with a reason', async () => {
    const run = await pulse(['sim', '--terminals', '6-2']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/terminals must satisfy/);
  });
});
