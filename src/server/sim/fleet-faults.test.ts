/**
 * One scenario, one run, every fault on its own restaurant — against the real gateway, whose probe
 * says what it saw. Each `it` checks one fault against both the gateway and the ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet } from './fleet.ts';
import type { Fleet } from './fleet.ts';
import { parseScenario } from './scenario.ts';
import { closesOf, heartbeatMs, sleep, startTestGateway, testSecret, waitFor } from './test-helpers/sim-fixture.ts';
import type { TestGateway } from './test-helpers/sim-fixture.ts';
import type { TruthEvent } from './truth-events.ts';

const faultAt = 0.8;
const scenario = parseScenario(
  JSON.stringify({
    network: { default: 'ideal' },
    orders: { perTerminalPerMinute: 60 },
    faults: [
      { type: 'bad-token', at: faultAt, kind: 'expired', terminals: ['r-001-t1'] },
      { type: 'bad-token', at: faultAt, kind: 'wrong-secret', terminals: ['r-001-t2'] },
      { type: 'outage', at: faultAt, duration: 1, restaurants: ['r-002'] },
      { type: 'silent', at: faultAt, duration: 1.5, restaurants: ['r-003'] },
      { type: 'flood', at: faultAt, frames: 500, terminals: ['r-004-t1'] },
      { type: 'oversize', at: faultAt, terminals: ['r-004-t2'] },
      { type: 'ignore-backoff', at: faultAt, duration: 1.5, delayMs: 40, upMs: 120, terminals: ['r-005-t1'] },
      { type: 'slow-network', at: faultAt, duration: 1.5, restaurants: ['r-006'], profile: { rttMs: 150, rttSpread: 0, jitterMs: 0 } },
      { type: 'flap', at: faultAt, duration: 1, everyS: 0.4, terminals: ['r-007-t1'] },
    ],
  }),
);

let gw: TestGateway;
let fleet: Fleet;
const truth: TruthEvent[] = [];
let faultStart = 0;

const tids = (...ids: string[]) => new Set(ids);
const truthOf = (tid: string) => truth.filter((e) => 'tid' in e && e.tid === tid);

beforeAll(async () => {
  gw = await startTestGateway();
  fleet = await startFleet({
    gatewayUrl: gw.url,
    secret: testSecret,
    restaurants: 8,
    terminals: { min: 2, max: 2 },
    scenario,
    heartbeatIntervalMs: heartbeatMs,
    rampPerSec: 2000,
    // A compressed backoff, so the tests see several attempts in a few seconds.
    backoff: { baseMs: 200, capMs: 800 },
    stableAfterMs: 400,
    onTruth: (e) => truth.push(e),
  });
  await waitFor('16 terminals connected before the faults', () => gw.gateway.connectionCount() === 16, 3000);
  faultStart = fleet.startedAt + faultAt * 1000;
  // Long enough for the longest fault (1.5 s) and the reconnects after it.
  await sleep(faultAt * 1000 - (Date.now() - fleet.startedAt) + 2600);
}, 20_000);

afterAll(async () => {
  await fleet?.stop();
  await gw?.close();
});

describe('scenario faults against the real gateway', () => {
  it('bad or expired token: 4001, the terminal fails, and never retries with that token', async () => {
    const refused = gw.events.filter((e) => e.type === 'auth_fail');
    expect(refused.map((e) => e.type === 'auth_fail' && `${e.claimedTid}:${e.reason}`).sort()).toEqual(['r-001-t1:expired', 'r-001-t2:bad_signature']);
    for (const tid of ['r-001-t1', 'r-001-t2']) {
      expect(fleet.terminal(tid)?.state).toBe('failed');
      expect(truthOf(tid).filter((e) => e.ev === 'connect_fail').map((e) => e.ev === 'connect_fail' && e.code)).toEqual([4001]);
      expect(truthOf(tid).filter((e) => e.ev === 'failed').map((e) => e.ev === 'failed' && e.reason)).toEqual(['token_rejected']);
    }
    // Still no second attempt a while later.
    await sleep(400);
    expect(gw.events.filter((e) => e.type === 'auth_fail')).toHaveLength(2);
  });

  it('restaurant outage: its terminals close 1000 themselves, stay away, then come back', () => {
    const closes = closesOf(gw.events, tids('r-002-t1', 'r-002-t2'));
    expect(closes.map((c) => [c.code, c.byServer])).toEqual([
      [1000, false],
      [1000, false],
    ]);
    const start = truth.find((e) => e.ev === 'fault_start' && e.fault === 'outage');
    const end = truth.find((e) => e.ev === 'fault_end' && e.fault === 'outage');
    expect(end!.t - start!.t).toBeGreaterThanOrEqual(1000);
    for (const tid of ['r-002-t1', 'r-002-t2']) {
      const events = truthOf(tid);
      const close = events.find((e) => e.ev === 'close');
      const reopen = events.filter((e) => e.ev === 'open')[1];
      expect(close).toMatchObject({ code: 1000, by: 'client' });
      expect(reopen, `${tid} came back`).toBeDefined();
      // Away for the whole outage: no attempt before it ended.
      expect(reopen!.t).toBeGreaterThanOrEqual(end!.t);
      expect(events.filter((e) => e.t > close!.t && e.t < end!.t && (e.ev === 'connect_fail' || e.ev === 'retry'))).toEqual([]);
      expect(fleet.terminal(tid)?.connected).toBe(true);
    }
  });

  it('silent (half-open) outage: the gateway times the terminals out with 4008; they return after it', () => {
    const closes = closesOf(gw.events, tids('r-003-t1', 'r-003-t2'));
    expect(closes.map((c) => c.code)).toEqual([4008, 4008]);
    for (const c of closes) {
      // Two intervals plus grace, plus one sweep period and scheduling slack.
      expect(c.t - faultStart).toBeLessThan(2 * heartbeatMs + 100 + 400);
      expect(c.byServer).toBe(true);
    }
    // While silent the terminals sent nothing and the truth claims nothing: no ping, order or ack.
    const start = truth.find((e) => e.ev === 'fault_start' && e.fault === 'silent')!;
    const end = truth.find((e) => e.ev === 'fault_end' && e.fault === 'silent')!;
    const during = truth.filter((e) => 'rid' in e && e.rid === 'r-003' && e.t > start.t && e.t < end.t);
    expect(during.filter((e) => e.ev === 'ping' || e.ev === 'order_sent' || e.ev === 'ack' || e.ev === 'pong')).toEqual([]);
    expect(truth.some((e) => e.ev === 'order_sent' && e.rid === 'r-003')).toBe(true);
    // Nobody else was timed out.
    expect(gw.events.filter((e) => e.type === 'close' && e.code === 4008 && !e.tid.startsWith('r-003'))).toEqual([]);
    for (const tid of ['r-003-t1', 'r-003-t2']) {
      const events = truthOf(tid);
      expect(events.find((e) => e.ev === 'close')).toMatchObject({ code: 1006, by: 'network', silent: true });
      // No attempt while silent; back once it ended.
      const reopen = events.filter((e) => e.ev === 'open')[1];
      expect(reopen!.t).toBeGreaterThanOrEqual(faultStart + 1500 - 20);
      expect(fleet.terminal(tid)?.connected).toBe(true);
    }
  });

  it('rate-limit abuser gets 1008, oversize sender gets 1009, and both are served again afterwards', () => {
    expect(closesOf(gw.events, tids('r-004-t1')).map((c) => c.code)).toEqual([1008]);
    expect(closesOf(gw.events, tids('r-004-t2')).map((c) => c.code)).toEqual([1009]);
    expect(truthOf('r-004-t1').find((e) => e.ev === 'close')).toMatchObject({ code: 1008, by: 'server' });
    expect(truthOf('r-004-t2').find((e) => e.ev === 'close')).toMatchObject({ code: 1009, by: 'server' });
    expect(truthOf('r-004-t2').find((e) => e.ev === 'abuse')).toMatchObject({ kind: 'oversize', frames: 1 });
    expect(fleet.terminal('r-004-t1')?.connected).toBe(true);
    expect(fleet.terminal('r-004-t2')?.connected).toBe(true);
  });

  it('a terminal that ignores backoff reconnects after its fixed short delay, below the policy floor', () => {
    const events = truthOf('r-005-t1').filter((e) => e.t >= faultStart && e.t <= faultStart + 1500);
    const gaps: number[] = [];
    let closedAt: number | undefined;
    for (const e of events) {
      if (e.ev === 'close') closedAt = e.t;
      if (e.ev === 'open' && closedAt !== undefined) {
        gaps.push(e.t - closedAt);
        closedAt = undefined;
      }
    }
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    // The policy's floor is 200 ms; this terminal comes back after ~40 ms plus a handshake.
    for (const gap of gaps) expect(gap).toBeLessThan(150);
    // After the fault it keeps its connection.
    expect(fleet.terminal('r-005-t1')?.connected).toBe(true);
  });

  it('slow network: the round trips the terminals measure follow the profile for the window only', () => {
    const pongs = truth.filter((e): e is Extract<TruthEvent, { ev: 'pong' }> => e.ev === 'pong' && e.rid === 'r-006');
    const inWindow = pongs.filter((e) => e.t > faultStart + 400 && e.t < faultStart + 1500);
    // Outside the window: before it, or once pings sent after it have come back. On a loaded
    // machine the terminals may not have had their first pong before the fault starts, so the
    // round trips after the window are the ones that must exist.
    const before = pongs.filter((e) => e.t < faultStart);
    const after = pongs.filter((e) => e.t > faultStart + 1500 + 300);
    expect(inWindow.length).toBeGreaterThanOrEqual(4);
    for (const p of inWindow) expect(p.rtt).toBeGreaterThanOrEqual(145);
    for (const p of inWindow) expect(p.rtt).toBeLessThan(400);
    expect(after.length).toBeGreaterThan(0);
    for (const p of [...before, ...after]) expect(p.rtt).toBeLessThan(50);
  });

  it('flap: the link drops without a close frame (1006 at the gateway) and the terminal backs off and returns', () => {
    const closes = closesOf(gw.events, tids('r-007-t1'));
    expect(closes.length).toBeGreaterThanOrEqual(2);
    expect(closes.every((c) => c.code === 1006)).toBe(true);
    const retries = truthOf('r-007-t1').filter((e) => e.ev === 'retry');
    expect(retries.every((e) => e.ev === 'retry' && e.delayMs >= 200)).toBe(true);
    expect(fleet.terminal('r-007-t1')?.connected).toBe(true);
  });

  it('leaves the untouched restaurant alone', () => {
    expect(closesOf(gw.events, tids('r-008-t1', 'r-008-t2'))).toEqual([]);
    expect(fleet.counters.restaurant('r-008').opens).toBe(2);
  });

  it('records each fault start and end with the terminals it hit', () => {
    const starts = truth.filter((e) => e.ev === 'fault_start');
    expect(starts).toHaveLength(scenario.faults.length);
    expect(starts.find((e) => e.ev === 'fault_start' && e.fault === 'outage')).toMatchObject({ restaurants: ['r-002'], terminals: ['r-002-t1', 'r-002-t2'] });
    expect(truth.filter((e) => e.ev === 'fault_end')).toHaveLength(scenario.faults.length);
  });
});
