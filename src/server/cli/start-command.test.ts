/**
 * `pulse start` and `pulse hub` as a user runs them: real child processes through bin/pulse.js.
 * start prints a sign-in link whose token opens the API, the simulated fleet is live behind it,
 * the token never reaches the log, and SIGTERM stops everything cleanly (exit 0); `pulse hub` on
 * the same data folder then serves what the first run stored.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayV8Flags } from './v8-flags.js';

const bin = join(import.meta.dirname, '../../../bin/pulse.js');
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], { detached = false } = {}) {
  const env = { ...process.env };
  delete env.PULSE_SECRET;
  // detached: the CLI leads a process group of its own, as in a terminal, where Ctrl-C signals the group.
  const child = spawn(process.execPath, [bin, ...args], { env, detached });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

async function poll<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

describe('pulse start / pulse hub', () => {
  it('start: a sign-in link to a live fleet, the token kept out of the log, SIGTERM exits 0; hub then serves the history', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pulse-start-cli-'));
    dirs.push(data);
    const p = run(['start', '--port', '0', '--gateway-port', '0', '--data', data, '--no-build', '--restaurants', '3', '--terminals', '2', '--log-level', 'info']);
    const [, base, token] = await p.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    await p.waitFor(/simulator +6 terminals in 3 restaurants/);
    const api = async (path: string, bearer = token!) => (await fetch(base + path, { headers: { authorization: `Bearer ${bearer}` } })).json();

    expect(await api('/api/me')).toMatchObject({ role: 'engineer', restaurants: null });
    const fleet = await poll('6 connections', () => api('/api/fleet'), (f) => f.totals?.connections === 6);
    expect(fleet.totals.restaurants).toBe(3);
    expect((await fetch(`${base}/api/fleet`)).status).toBe(401);

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('stopped cleanly.');
    // The token is in stdout for the person who started it; the JSON log never holds it.
    expect(p.err()).not.toContain(token);
    expect(p.err()).toContain('hub listening');
    // The all-in-one runs a gateway: bin/pulse.js relaunched it with the gateway's V8 flags.
    const self = p.err().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; pid: number; execArgv?: string[] }).find((e) => e.msg === 'process');
    expect(self?.execArgv).toEqual(expect.arrayContaining([...gatewayV8Flags]));
    expect(self?.pid).not.toBe(p.child.pid);

    const h = run(['hub', '--port', '0', '--data', data, '--log-level', 'warn']);
    const [, hubBase, hubToken] = await h.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    const restaurants = await (await fetch(`${hubBase}/api/restaurants`, { headers: { authorization: `Bearer ${hubToken}` } })).json();
    // Expected terminals come from the store; nobody is connected to a standalone hub.
    expect(restaurants.restaurants.map((r: { rid: string; expected: number; connections: number }) => [r.rid, r.expected, r.connections])).toEqual([
      ['r-001', 2, 0],
      ['r-002', 2, 0],
      ['r-003', 2, 0],
    ]);
    expect(h.err()).not.toContain('did not shut down cleanly');
    h.child.kill('SIGTERM');
    expect(await h.exited).toBe(0);
  });

  it('Ctrl-C (SIGINT to the whole process group, as `npm start` in a terminal gets it) stops cleanly', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pulse-start-cli-'));
    dirs.push(data);
    const p = run(['start', '--port', '0', '--gateway-port', '0', '--data', data, '--no-build', '--restaurants', '2', '--terminals', '2'], { detached: true });
    await p.waitFor(/Ctrl-C stops/);
    process.kill(-p.child.pid!, 'SIGINT');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('SIGINT: stopping');
    expect(p.out()).toContain('stopped cleanly.');
    expect(p.out()).not.toContain('again');
  });

  it('--help says what runs where, and how a bus across processes is chosen (Redis)', async () => {
    const start = run(['start', '--help']);
    expect(await start.exited).toBe(0);
    expect(start.out()).toMatch(/--gateway-port/);
    expect(start.out()).toMatch(/--no-sim/);
    const hub = run(['hub', '--help']);
    expect(await hub.exited).toBe(0);
    expect(hub.out()).toMatch(/redis/i);
  });
});
