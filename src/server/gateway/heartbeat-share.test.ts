/**
 * Issue 18, item 12, reconciled on real sockets through `pulse start`'s composition (gateway,
 * probe, bus, hub): a half-open terminal that answers its first heartbeat interval and misses the
 * next two before the gateway drops it shows 1/3 — the truth — as its restaurant's heartbeat
 * success. Before, its ping at the open counted as an on-time beat answering no interval: 2/3
 * (and a terminal that missed one interval in three read 100 %).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { startAllInOne, type AllInOne } from '../pipeline/all-in-one.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { connectTerminal, sleep } from './test-helpers/test-terminal.ts';

const secret = 'heartbeat-share-secret-0123456789';
const viewer = signViewerToken(secret, { sub: 'sam', role: 'support' });
// The hub learns of opens and closes a frame (≤ 1 s) late and judges intervals once a second, so
// the scenario keeps every moment it could race apart by more than that: the ping that answers
// interval 1 comes at 5.4 s (window 1 is 1.8–5.8 s), the 4008 follows at ~15.2 s (2 intervals +
// grace later), 1.4 s after interval 3 ran out (13.8 s) and 2.6 s before interval 4 would (17.8 s).
const I = 4000;
const G = 1800;
const answerAt = 5400;

let app: AllInOne;
let dir: { dir: string; remove: () => void };

beforeAll(async () => {
  dir = makeTempDir('pulse-hb-share-');
  app = await startAllInOne({ secret, dataDir: dir.dir, port: 0, gatewayPort: 0, heartbeatIntervalMs: I, heartbeatGraceMs: G, hub: { tickMs: 50, tickPhaseMs: null, flushIntervalMs: 100 } });
  await sleep(200); // the hub is watching before the terminal opens
}, 20_000);
afterAll(async () => {
  await app?.stop();
  dir?.remove();
});

describe('heartbeat success of a half-open terminal', () => {
  it('answers interval 1 of 3, then goes silent: 1/3 on time, as the truth', async () => {
    const t = connectTerminal(app.gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await t.next('welcome');
    t.ping(1); // at the open: answers no interval
    await sleep(answerAt);
    t.ping(2); // in window 1: (G, I + G]
    // Then nothing: windows 2 and 3 run out, and the gateway drops it 2 intervals + grace after ping 2.
    await t.closed;
    await sleep(2000); // the close's frame reaches the hub (a frame a second), a few ticks settle it
    const res = await fetch(`${app.hub.url}/api/restaurants/r-001`, { headers: { authorization: `Bearer ${viewer}` } });
    const { restaurant } = (await res.json()) as { restaurant: { heartbeatSuccess: number | null } };
    expect(restaurant.heartbeatSuccess).toBeCloseTo(1 / 3, 5);
  }, 40_000);
});
