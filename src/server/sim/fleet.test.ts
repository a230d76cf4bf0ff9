/**
 * The fleet against the real gateway, on real sockets: it connects, speaks the protocol, and its
 * ground truth (file and counters) agrees with itself and with what the gateway saw.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from './fleet.ts';
import type { Fleet } from './fleet.ts';
import { emptyTally } from './counters.ts';
import type { Tally } from './counters.ts';
import { parseScenario } from './scenario.ts';
import { connectionsInMetrics, heartbeatMs, readTruth, startTestGateway, tempDir, testSecret, waitFor } from './test-helpers/sim-fixture.ts';
import type { TestGateway } from './test-helpers/sim-fixture.ts';
import type { TruthEvent } from './truth-events.ts';

let gw: TestGateway | undefined;
let fleet: Fleet | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await fleet?.stop();
  await gw?.close();
  fleet = gw = undefined;
  cleanups.splice(0).forEach((c) => c());
});

/** Tallies rebuilt from the truth file alone, to compare with the in-memory counters. */
function tallyFromTruth(lines: TruthEvent[]): { total: Tally; byTerminal: Map<string, Tally> } {
  const total = emptyTally();
  const byTerminal = new Map<string, Tally>();
  for (const e of lines) {
    if (!('tid' in e)) continue;
    const t = byTerminal.get(e.tid) ?? emptyTally();
    byTerminal.set(e.tid, t);
    for (const tally of [total, t]) {
      if (e.ev === 'open') tally.opens++;
      if (e.ev === 'close') {
        tally.closes++;
        tally.closesByCode[e.code] = (tally.closesByCode[e.code] ?? 0) + 1;
      }
      if (e.ev === 'ping') tally.pingsSent++;
      if (e.ev === 'pong') tally.pongs++;
      if (e.ev === 'order_sent') tally.ordersSent++;
      if (e.ev === 'order_recv') tally.ordersReceived++;
      if (e.ev === 'ack') tally.acksSent++;
    }
  }
  return { total, byTerminal };
}

describe('fleet against the real gateway', () => {
  it('connects 20 restaurants × 4 terminals: the gateway holds 80 and /metrics reports 80', async () => {
    gw = await startTestGateway({ metricsListen: { port: 0 } });
    fleet = await startFleet({ gatewayUrl: gw.url, secret: testSecret, restaurants: 20, terminals: { min: 4, max: 4 }, heartbeatIntervalMs: heartbeatMs, rampPerSec: 2000 });
    expect(fleet.terminals.map((t) => t.tid).slice(0, 5)).toEqual(['r-001-t1', 'r-001-t2', 'r-001-t3', 'r-001-t4', 'r-002-t1']);
    expect(fleet.terminals.at(-1)?.tid).toBe('r-020-t4');
    await waitFor('80 connections at the gateway', () => gw!.gateway.connectionCount() === 80 && fleet!.connectedCount() === 80);
    const res = await fetch(gw.gateway.metricsUrl!);
    expect(connectionsInMetrics(await res.text())).toBe(80);
    // Every terminal authenticated as itself, via the bearer subprotocol.
    const opens = gw.events.filter((e) => e.type === 'open');
    expect(new Set(opens.map((e) => e.type === 'open' && `${e.rid}/${e.tid}/${e.via}`)).size).toBe(80);
    expect(opens.every((e) => e.type === 'open' && e.tid.startsWith(`${e.rid}-t`) && e.via === 'subprotocol')).toBe(true);
    expect(fleet.counters.restaurant('r-007').opens).toBe(4);
  });

  it('writes ground truth whose lines match the counters, and the gateway heard every ping it sent', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const truthPath = join(dir, 'truth.ndjson');
    gw = await startTestGateway();
    const scenario = parseScenario(JSON.stringify({ orders: { perTerminalPerMinute: 600 }, network: { default: 'lan' } }));
    fleet = await startFleet({ gatewayUrl: gw.url, secret: testSecret, restaurants: 3, terminals: { min: 2, max: 3 }, scenario, heartbeatIntervalMs: heartbeatMs, rampPerSec: 2000, truthPath, seed: 7 });
    const n = fleet.terminals.length;
    await waitFor('all connected', () => fleet!.connectedCount() === n);
    await waitFor('a few heartbeats and orders', () => fleet!.counters.total.pongs >= n * 5 && fleet!.counters.total.acksSent >= 10, 8000);
    const counters = fleet.counters;
    const summary = await fleet.stop();
    await gw.close();

    const lines = readTruth(truthPath);
    const fromFile = tallyFromTruth(lines);
    for (const key of ['opens', 'closes', 'pingsSent', 'pongs', 'ordersSent', 'ordersReceived', 'acksSent'] as const) {
      expect(fromFile.total[key], key).toBe(counters.total[key]);
      expect(summary[key], key).toBe(counters.total[key]);
    }
    expect(fromFile.total.closesByCode).toEqual({ 1000: n });
    for (const t of fleet.terminals) {
      expect(fromFile.byTerminal.get(t.tid)?.pongs, t.tid).toBe(counters.terminal(t.tid).pongs);
    }
    // Lines are in time order and each terminal's ping seqs increase.
    const times = lines.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The gateway heard every ping the truth says left a terminal (no loss on 'lan').
    const heartbeats = gw.events.filter((e) => e.type === 'heartbeat').length;
    expect(heartbeats).toBe(counters.total.pingsSent);
    // Pings carry the last RTT measured; pongs record it.
    const pongs = lines.filter((e) => e.ev === 'pong');
    expect(pongs.every((e) => e.ev === 'pong' && e.rtt >= 0 && e.rtt < 1000)).toBe(true);
    expect(lines.some((e) => e.ev === 'ping' && e.rtt !== undefined)).toBe(true);
    // Every order update a terminal received was acked, with the restaurant's seq.
    const acks = new Set(lines.filter((e) => e.ev === 'ack').map((e) => 'tid' in e && `${e.tid}#${(e as { seq: number }).seq}`));
    for (const e of lines) if (e.ev === 'order_recv') expect(acks.has(`${e.tid}#${e.seq}`)).toBe(true);
    // An order goes to its own restaurant only.
    const sentBy = new Map(lines.filter((e) => e.ev === 'order_sent').map((e) => [(e as { id: string }).id, (e as { rid: string }).rid]));
    for (const e of lines) if (e.ev === 'order_recv' && sentBy.has(e.id)) expect(sentBy.get(e.id)).toBe(e.rid);
    const acked = gw.events.filter((e) => e.type === 'ack').length;
    expect(acked).toBe(counters.total.acksSent);
  });

  it('loses pings at the profile rate: the gateway hears exactly the pings that were not lost', async () => {
    // Generous limits on both sides, so a run of lost pings does not end a connection in the test.
    gw = await startTestGateway({ heartbeatGraceMs: 2000 });
    const scenario = parseScenario(JSON.stringify({ network: { default: { rttMs: 20, rttSpread: 0, jitterMs: 10, loss: 0.3 } }, orders: { perTerminalPerMinute: 0 } }));
    fleet = await startFleet({ gatewayUrl: gw.url, secret: testSecret, restaurants: 2, terminals: { min: 3, max: 3 }, scenario, heartbeatIntervalMs: heartbeatMs, rampPerSec: 2000, healthThresholds: { degradedAfterMs: 1000, unhealthyAfterMs: 2000 } });
    await waitFor('150 pings', () => fleet!.counters.total.pingsSent >= 150, 10_000);
    const { pingsSent, pingsLost } = fleet.counters.total;
    await fleet.stop();
    expect(pingsLost / pingsSent).toBeGreaterThan(0.15);
    expect(pingsLost / pingsSent).toBeLessThan(0.45);
    const heard = gw.events.filter((e) => e.type === 'heartbeat').length;
    // stop() may catch a few pings still in flight after the counters were read.
    expect(heard).toBeGreaterThanOrEqual(pingsSent - pingsLost);
    expect(heard).toBeLessThanOrEqual(pingsSent - pingsLost + 6);
    expect(gw.events.filter((e) => e.type === 'close' && e.code !== 1000)).toEqual([]);
  });

  it('a silenced terminal claims nothing it did not send: no ping, order or ack in the truth', async () => {
    gw = await startTestGateway({ heartbeatGraceMs: 2000 });
    const truth: TruthEvent[] = [];
    const scenario = parseScenario(JSON.stringify({ network: { default: 'ideal' }, orders: { perTerminalPerMinute: 300 }, faults: [{ type: 'silent', at: 0.5, duration: 1, terminals: ['r-001-t1'] }] }));
    fleet = await startFleet({
      gatewayUrl: gw.url,
      secret: testSecret,
      restaurants: 1,
      terminals: { min: 2, max: 2 },
      scenario,
      heartbeatIntervalMs: heartbeatMs,
      // The terminal must keep believing in its link, and keep beating, for the whole silence.
      healthThresholds: { degradedAfterMs: 3000, unhealthyAfterMs: 5000 },
      onTruth: (e) => truth.push(e),
    });
    await waitFor('the silence to end', () => truth.some((e) => e.ev === 'fault_end'), 4000);
    const start = truth.find((e) => e.ev === 'fault_start')!.t;
    const end = truth.find((e) => e.ev === 'fault_end')!.t;
    const mine = (e: TruthEvent) => 'tid' in e && e.tid === 'r-001-t1';
    expect(truth.filter((e) => mine(e) && e.ev === 'order_sent' && e.t < start).length).toBeGreaterThan(0);
    expect(truth.filter((e) => mine(e) && e.t > start && e.t < end && ['ping', 'order_sent', 'ack', 'pong', 'abuse'].includes(e.ev))).toEqual([]);
    // Its neighbour kept talking (and the silenced one never saw its orders).
    expect(truth.filter((e) => e.ev === 'order_sent' && e.tid === 'r-001-t2' && e.t > start && e.t < end).length).toBeGreaterThan(0);
  });

  it('is reproducible from the seed: the same fleet shape and the same network per terminal', async () => {
    gw = await startTestGateway();
    const scenario = parseScenario(JSON.stringify({ network: { default: 'wifi', mix: [{ profile: '4g', share: 0.3 }, { profile: 'flaky', share: 0.2 }] } }));
    const shapeOf = async (seed: number) => {
      const f = await startFleet({ gatewayUrl: gw!.url, secret: testSecret, restaurants: 12, terminals: { min: 1, max: 5 }, scenario, seed, rampPerSec: 1 });
      const shape = f.terminals.map((t) => `${t.tid}:${t.networkProfile.rttMs}`);
      await f.stop();
      return shape;
    };
    const a = await shapeOf(11);
    expect(await shapeOf(11)).toEqual(a);
    expect(await shapeOf(12)).not.toEqual(a);
    // The mix is honoured: all three profiles appear.
    expect(new Set(a.map((s) => s.split(':')[1]))).toEqual(new Set(['20', '70', '150']));
  });

  it('presents the token by the legacy ?token= path when asked', async () => {
    gw = await startTestGateway();
    fleet = await startFleet({ gatewayUrl: gw.url, secret: testSecret, restaurants: 1, terminals: { min: 2, max: 2 }, heartbeatIntervalMs: heartbeatMs, tokenVia: 'query' });
    await waitFor('2 connections', () => gw!.gateway.connectionCount() === 2);
    expect(gw.events.filter((e) => e.type === 'open').every((e) => e.type === 'open' && e.via === 'query')).toBe(true);
  });
});
