/**
 * `pulse gateway --bus redis://…` and `pulse hub --bus redis://…` as a user runs them: two real
 * processes that share nothing but Redis. A terminal on the gateway shows up on the hub's
 * /metrics; the gateway's shutdown closes (1001) reach the hub through the stream too.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { signTerminalToken } from '../auth/tokens.ts';
import { connectTerminal, metricValue } from '../gateway/test-helpers/test-terminal.ts';
import { redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { waitFor } from '../test-helpers/wait-for.ts';

const skip = await requireService('redis', REDIS_URL);
const bin = join(import.meta.dirname, '../../../bin/pulse.js');

describe.skipIf(skip)('pulse gateway / pulse hub --bus redis (real Redis, real processes)', () => {
  const redis = redisFixture(REDIS_URL);
  const children: ChildProcessWithoutNullStreams[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(() => redis.cleanup());

  function run(args: string[], stream: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, PULSE_BUS_STREAM: stream };
    delete env.PULSE_SECRET;
    const child = spawn(process.execPath, [bin, ...args], { env });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = async (pattern: RegExp) => {
      await waitFor(`${pattern} on stdout of ${args[0]}\n${out}\n${err}`, () => pattern.test(out), 20_000);
      return out.match(pattern) as RegExpMatchArray;
    };
    return { child, exited, line, out: () => out, err: () => err };
  }

  it('carries a terminal from a gateway process to a hub process through the stream', async () => {
    const stream = redis.key('cli');
    const data = mkdtempSync(join(tmpdir(), 'pulse-bus-cli-'));
    dirs.push(data);
    const hub = run(['hub', '--port', '0', '--data', data, '--bus', REDIS_URL], stream);
    const [, hubUrl] = await hub.line(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await hub.line(/bus +redis 127\.0\.0\.1:6379, stream pulse-test:/);
    const gw = run(['gateway', '--port', '0', '--data', data, '--id', 'gw-cli-redis', '--heartbeat-ms', '2000', '--bus', REDIS_URL], stream);
    const [, wsUrl] = await gw.line(/listening on (ws:\/\/127\.0\.0\.1:\d+\/ws)/);
    expect(gw.out()).toContain(`stream ${stream}`);

    const secret = readFileSync(join(data, 'secret'), 'utf8').trim();
    const terminal = connectTerminal(wsUrl as string, { kind: 'query', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await terminal.next('welcome', undefined, 5000);

    let metrics = '';
    const scrape = async () => (metrics = await (await fetch(`${hubUrl}/metrics`)).text());
    for (let i = 0; i < 100 && metricValue(await scrape(), 'pulse_hub_connections') !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(metricValue(metrics, 'pulse_hub_connections')).toBe(1);
    expect(metricValue(metrics, 'pulse_hub_frames_applied_total', { gateway: 'gw-cli-redis' })).toBeGreaterThan(0);

    // The gateway's shutdown: its terminal closes with 1001, and the last frame still reaches the hub.
    gw.child.kill('SIGTERM');
    expect(await terminal.closed).toMatchObject({ code: 1001 });
    expect(await gw.exited).toBe(0);
    for (let i = 0; i < 50 && metricValue(await scrape(), 'pulse_hub_connections') !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(metricValue(metrics, 'pulse_hub_connections')).toBe(0);
    expect(metricValue(metrics, 'pulse_hub_frames_lost_total', { gateway: 'gw-cli-redis' })).toBe(0);

    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(gw.err() + hub.err()).not.toMatch(/LOST|publish failed/);
  });

  it('refuses a --bus that is neither memory nor a Redis URL', async () => {
    const p = run(['gateway', '--bus', 'http://127.0.0.1:6379'], redis.key('unused'));
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toMatch(/redis:\/\//);
  });
});
