/**
 * Issue 18, item 9, on the real system (`pulse start`'s composition: gateway, probe, bus, hub,
 * store, simulated fleet): refused tokens write nothing to the fleet. 200 `alg: none` and
 * bad-signature tokens, each naming a new restaurant or the real r-005, are all refused with 4001,
 * yet no restaurant appears, r-005 stays healthy, nothing is stored under any of those rids, and
 * the refusals are counted fleet-wide (and by source address) exactly as sent. Before the fix every
 * new rid became a restaurant and r-005 turned unhealthy.
 *
 * Bounded: 200 handshakes, 20 at a time, on loopback; well under 10 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { startAllInOne, type AllInOne } from '../pipeline/all-in-one.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { connectTerminal, metricValue } from './test-helpers/test-terminal.ts';

const secret = 'refused-tokens-secret-0123456789ab';
const viewer = signViewerToken(secret, { sub: 'sam', role: 'support' });
const HEARTBEAT_MS = 300;
const SENT = 200;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const exp = () => Math.floor(Date.now() / 1000) + 60;

let app: AllInOne;
let dir: { dir: string; remove: () => void };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${app.hub.url}${path}`, { headers: { authorization: `Bearer ${viewer}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}
type Restaurants = { restaurants: { rid: string; status: string }[] };
const statusOf = async (rid: string) => (await api<Restaurants>('/api/restaurants')).restaurants.find((r) => r.rid === rid)?.status;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Token i: alg none or signed with another secret; even ones claim r-005, odd ones a new rid each. */
function forged(i: number): { token: string; rid: string } {
  const rid = i % 2 === 0 ? 'r-005' : `r-new-${i}`;
  const tid = `${rid}-t9`;
  const token = i % 4 < 2 ? `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: tid, rid, exp: exp() })}.` : signTerminalToken('not-the-secret-0123456789abcdef', tid, rid, 60);
  return { token, rid };
}

beforeAll(async () => {
  dir = makeTempDir('pulse-refused-');
  app = await startAllInOne({
    secret,
    dataDir: dir.dir,
    port: 0,
    gatewayPort: 0,
    heartbeatIntervalMs: HEARTBEAT_MS,
    heartbeatGraceMs: 150,
    sim: { restaurants: 5, terminals: { min: 2, max: 2 }, seed: 7 },
    hub: { tickMs: 100, tickPhaseMs: null, flushIntervalMs: 100 },
  });
  await waitUntil('r-005 healthy', async () => (await statusOf('r-005')) === 'healthy', 10_000);
}, 20_000);
afterAll(async () => {
  await app?.stop();
  dir?.remove();
});

describe('refused tokens write nothing to the fleet', () => {
  it(`${SENT} forged tokens naming new rids and r-005: no restaurant, r-005 healthy, nothing stored under them, all counted fleet-wide`, async () => {
    const restaurantsBefore = metricValue(await app.hub.metricsText(), 'pulse_hub_restaurants');
    const from = Date.now();
    const closes: number[] = [];
    for (let batch = 0; batch < SENT; batch += 20) {
      const round = Array.from({ length: 20 }, (_, k) => connectTerminal(app.gateway.url, { kind: 'subprotocol', token: forged(batch + k).token }).closed);
      for (const c of await Promise.all(round)) closes.push(c.code);
    }
    expect(closes.filter((c) => c === 4001)).toHaveLength(SENT);

    // Frames reach the hub every 100 ms; give the refusals time to land wherever they would.
    await waitUntil('the refusals stored', async () => (await app.store.readEvents({ from, to: Date.now() + 1 })).filter((e) => e.type === 'auth_fail').length >= SENT, 10_000);
    await sleep(1000);

    const { restaurants } = await api<Restaurants>('/api/restaurants');
    expect(restaurants.map((r) => r.rid)).toEqual(['r-001', 'r-002', 'r-003', 'r-004', 'r-005']);
    expect(metricValue(await app.hub.metricsText(), 'pulse_hub_restaurants')).toBe(restaurantsBefore);
    expect(restaurants.find((r) => r.rid === 'r-005')?.status).toBe('healthy');

    const stored = await app.store.readEvents({ from, to: Date.now() + 1 });
    const refusals = stored.filter((e) => e.type === 'auth_fail');
    expect(refusals).toHaveLength(SENT);
    for (const e of refusals) expect(e).not.toHaveProperty('rid');
    expect((await app.store.readEvents({ rid: 'r-005', from, to: Date.now() + 1 })).filter((e) => e.type === 'auth_fail')).toEqual([]);
    expect(await app.store.readEvents({ rids: Array.from({ length: SENT }, (_, i) => `r-new-${i}`), from, to: Date.now() + 1 })).toEqual([]);
    // The claims are kept as labels for engineers.
    expect(new Set(refusals.map((e) => e.type === 'auth_fail' && e.claimedRid)).size).toBe(SENT / 2 + 1);

    const gw = await app.gateway.metricsText();
    const refusedByReason = ['malformed', 'bad_signature', 'bad_algorithm', 'bad_claims'].reduce((n, reason) => n + (metricValue(gw, 'pulse_gateway_auth_failures_total', { reason }) ?? 0), 0);
    expect(refusedByReason).toBe(SENT);
    expect(metricValue(gw, 'pulse_gateway_auth_failures_by_source_total', { source: '127.0.0.1' })).toBe(SENT);
  }, 30_000);
});
