/**
 * What the hub tells of refused tokens (issue 18, item 9, follow-ups), on a real hub with a real
 * SQLite store, fed by a bus probe: a terminal's events page gives an engineer the refused tokens
 * whose unverified claims name it (stored under no terminal), marked as such, and never gives them
 * to the claimed restaurant's manager; `/api/fleet` counts them fleet-wide for fleet-wide viewers
 * only; `/metrics` counts them, and the connections refused for their source's cap of pending
 * upgrades.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ev } from '../../core/test-helpers/telemetry-events.ts';
import { eventsPageAnswerSchema, fleetAnswerSchema } from '../../protocol/api.ts';
import type { ProbeEventOf } from '../../protocol/probe-events.ts';
import { signViewerToken } from '../auth/tokens.ts';
import type { BusProbe } from '../gateway/bus-probe.ts';
import type { Hub } from './hub.ts';
import { startHubWithProbe } from './test-helpers/hub-with-gateway.ts';

const secret = 'refused-view-secret-0123456789abcdef';
const engineer = signViewerToken(secret, { sub: 'erin', role: 'engineer' });
const manager = signViewerToken(secret, { sub: 'meg', role: 'manager', restaurants: ['r-001'] });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(o: { maxPendingPerSource?: number } = {}): Promise<{ hub: Hub; probe: BusProbe }> {
  return startHubWithProbe({ secret, gatewayId: 'gw-test', hub: o }, cleanups);
}

async function get(hub: Hub, path: string, token: string): Promise<unknown> {
  const res = await fetch(hub.url + path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return res.json();
}

const refused = (t: number, claimedRid: string | undefined, claimedTid: string | undefined): ProbeEventOf<'auth_fail'> => ({
  type: 'auth_fail',
  gw: 'gw-test',
  t,
  reason: 'bad_signature',
  ...(claimedRid !== undefined ? { claimedRid } : {}),
  ...(claimedTid !== undefined ? { claimedTid } : {}),
});

describe('refused tokens on the hub', () => {
  it('a terminal\'s events give engineers the refusals that claimed it, managers never; /api/fleet and /metrics count them fleet-wide', async () => {
    const { hub, probe } = await setup();
    const t = Date.now() - 5_000;
    probe.emit(ev.open(t, 'r-001', 'r-001-t1', 'c1'));
    probe.emit(refused(t + 100, 'r-001', 'r-001-t1'));
    probe.emit(refused(t + 200, 'r-002', 'r-001-t1')); // the same till id claimed for another restaurant
    probe.emit(refused(t + 300, undefined, undefined)); // unreadable
    probe.emit(ev.close(t + 400, 'r-001', 'r-001-t1', 'c1', 1006, 400));
    probe.flush();

    const path = `/api/terminals/r-001-t1/events?from=${t - 1000}&to=${Date.now() + 1000}`;
    // The write queue flushes every 50 ms: wait until the close is stored.
    await expect.poll(async () => eventsPageAnswerSchema.parse(await get(hub, path, engineer)).events.length, { timeout: 5_000 }).toBe(3);
    const page = eventsPageAnswerSchema.parse(await get(hub, path, engineer));
    expect(page.unverifiedClaims).toBe(true);
    expect(page.events.map((e) => e.type)).toEqual(['open', 'auth_fail', 'close']);
    expect(page.events[1]).toEqual({ type: 'auth_fail', gw: 'gw-test', t: t + 100, reason: 'bad_signature', claimedRid: 'r-001', claimedTid: 'r-001-t1' });
    // A page of one: the merge keeps the time order, and says there is more.
    const first = eventsPageAnswerSchema.parse(await get(hub, `${path}&limit=1`, engineer));
    expect([first.events.map((e) => e.type), first.more]).toEqual([['open'], true]);
    const two = eventsPageAnswerSchema.parse(await get(hub, `${path}&limit=2`, engineer));
    expect([two.events.map((e) => e.type), two.more]).toEqual([['open', 'auth_fail'], true]);

    // The manager of r-001: the terminal's own events only, and no word of unverified claims.
    const theirs = eventsPageAnswerSchema.parse(await get(hub, path, manager));
    expect(theirs.events.map((e) => e.type)).toEqual(['open', 'close']);
    expect(theirs.unverifiedClaims).toBeUndefined();

    // Fleet-wide: all three refusals, in no restaurant; a manager's totals do not hold them.
    const fleet = fleetAnswerSchema.parse(await get(hub, '/api/fleet', engineer));
    expect(fleet.totals.refusedTokens).toEqual({ perMin: 3, sinceStart: 3 });
    expect(fleet.totals.errors.auth_failed ?? 0).toBe(0);
    const managers = fleetAnswerSchema.parse(await get(hub, '/api/fleet', manager));
    expect(managers.totals.refusedTokens).toBeUndefined();
    expect(await hub.metricsText()).toMatch(/^pulse_hub_auth_failures_total\{[^}]*\} 3$/m);
  });

  it('counts on /metrics the connections refused for their source address\'s cap of pending upgrades', async () => {
    const { hub } = await setup({ maxPendingPerSource: 2 });
    const before = await hub.metricsText();
    expect(before).toMatch(/^pulse_hub_handshake_refusals_total\{[^}]*\} 0$/m);
    // Three connections from 127.0.0.1 that send nothing: the third is over the cap and dropped at once.
    const sockets: Socket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const port = Number(new URL(hub.url).port);
    for (let i = 0; i < 3; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      sockets.push(s);
      await new Promise((resolve) => s.once('connect', resolve));
    }
    await expect.poll(async () => /^pulse_hub_handshake_refusals_total\{[^}]*\} 1$/m.test(await hub.metricsText()), { timeout: 5_000 }).toBe(true);
  });
});
