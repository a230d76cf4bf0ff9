/**
 * `--store postgres://…` as a user runs it: `pulse start` writes its fleet into PostgreSQL, and a
 * `pulse hub` on another, empty data folder serves that history from the same schema — so what it
 * shows cannot have come from a SQLite file.
 */
import { afterEach, expect, it } from 'vitest';
import { cliChildren, poll } from '../../cli/test-helpers/cli-child.ts';
import { describePostgres, postgresEngine } from '../test-helpers/engines.ts';
import type { StorePlace } from '../test-helpers/engines.ts';

const cli = cliChildren();
const places: StorePlace[] = [];
afterEach(async () => {
  await cli.cleanup();
  for (const p of places.splice(0)) await p.remove();
});

describePostgres('pulse start / pulse hub --store postgres://…', () => {
  it('start stores the fleet in PostgreSQL; a hub on an empty data folder serves it from there', async () => {
    const place = await postgresEngine.newPlace();
    places.push(place);
    const p = cli.run(['start', '--port', '0', '--gateway-port', '0', '--data', cli.tempDir('pulse-pg-start-'), '--store', place.spec, '--no-build', '--restaurants', '3', '--terminals', '2']);
    const [, base, token] = await p.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    await p.waitFor(/store +PostgreSQL postgres:\/\/\S+@127\.0\.0\.1:5432\/test schema pulse_test_/);
    const api = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).json();
    await poll('6 connections', () => api('/api/fleet'), (f) => f.totals?.connections === 6);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);

    const h = cli.run(['hub', '--port', '0', '--data', cli.tempDir('pulse-pg-hub-'), '--store', place.spec, '--log-level', 'warn']);
    const [, hubBase, hubToken] = await h.waitFor(/dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/);
    const restaurants = await (await fetch(`${hubBase}/api/restaurants`, { headers: { authorization: `Bearer ${hubToken}` } })).json();
    expect(restaurants.restaurants.map((r: { rid: string; expected: number }) => [r.rid, r.expected])).toEqual([
      ['r-001', 2],
      ['r-002', 2],
      ['r-003', 2],
    ]);
    expect(h.err()).not.toContain('did not shut down cleanly');
    h.child.kill('SIGTERM');
    expect(await h.exited).toBe(0);
  });
});
