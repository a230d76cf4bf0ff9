/**
 * `pulse start` and `pulse hub` as a user runs them: real child processes through bin/pulse.js.
 * start prints a sign-in link whose token opens the API, the simulated fleet is live behind it,
 * the token never reaches the log, and SIGTERM stops everything cleanly (exit 0); `pulse hub` on
 * the same data folder then serves what the first run stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayV8Flags } from './v8-flags.js';
import { cliChildren, poll } from './test-helpers/cli-child.ts';

const cli = cliChildren();
afterEach(cli.cleanup);
const run = cli.run;

describe('pulse start / pulse hub', () => {
  it('start: a sign-in link to a live fleet, the token kept out of the log, SIGTERM exits 0; hub then serves the history', async () => {
    const data = cli.tempDir('pulse-start-cli-');
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
    const data = cli.tempDir('pulse-start-cli-');
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
