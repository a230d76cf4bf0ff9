/**
 * Safety of the Node probe (issue 11): the plain `ws` example gateway with `attachProbe`, its hub
 * unreachable for 60 s (test-helpers/hub-outage.ts). The gateway keeps serving every terminal; the
 * probe holds at most its bounds (buffer + 64 unanswered batches) and drops the oldest events,
 * counting each; the loss is reported exactly — events dropped = events made − events the hub
 * counted, and the hub was told the same number — and once the hub is reachable again its figures
 * resume, the gateway never restarted.
 *
 * Small bounds (buffer 300, batches of 10) so a fleet of 20 terminals overflows them in seconds;
 * traffic counts only at close, so what is made while the hub is down is pings and pongs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEvent } from '../../../protocol/ingest.ts';
import { deliveredPings, OUTAGE_GRACE_MS, OUTAGE_HEARTBEAT_MS, OUTAGE_TERMINALS, runHubOutage, servedDuringOutage, startOutageHub, type OutageHub, type OutageRun } from '../test-helpers/hub-outage.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { startExampleGateway, type ExampleGateway } from './test-helpers/node-ws-gateway.ts';
import type { ProbeStats } from './attach-probe.ts';

const pulseSecret = 'pulse-own-secret-0123456789abcdef';
const gatewaySecret = 'node-ws-gateway-secret-0123456789';
const GATEWAY_ID = 'gw-node-outage';
const MAX_BUFFERED = 300;
const BATCH_MAX = 10;
const MAX_UNACKED = 64; // the ingest client's default

let hub: OutageHub;
let gateway: ExampleGateway;
let run: OutageRun<ProbeStats>;
const made: RawEvent[] = [];

beforeAll(async () => {
  hub = await startOutageHub({ secret: pulseSecret, gatewayId: GATEWAY_ID });
  gateway = await startExampleGateway({
    secret: gatewaySecret,
    heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS,
    heartbeatGraceMs: OUTAGE_GRACE_MS,
    probe: { hub: hub.ingestUrl, token: hub.gatewayToken, gateway: GATEWAY_ID, maxBufferedEvents: MAX_BUFFERED, batchMax: BATCH_MAX, trafficEveryMs: 3_600_000, tap: (e) => made.push(e) },
  });
  run = await runHubOutage({ gatewayUrl: gateway.url, secret: gatewaySecret, hub, outageMs: 60_000, sample: () => gateway.probe!.stats() });
  // The terminals left: every close reported, nothing left in the probe, the hub has all it will get.
  await waitFor('the probe has sent everything and heard every answer', () => {
    const s = gateway.probe!.stats();
    return s.connections === 0 && s.buffered === 0 && s.unacked === 0;
  }, 10_000);
}, 150_000);

afterAll(async () => {
  await gateway?.stop();
  await hub?.stop();
});

describe('the Node probe with its hub down for 60 s', () => {
  it('the gateway kept serving every terminal: pongs throughout, no connection lost', () => {
    const served = servedDuringOutage(run);
    expect(served.closes).toEqual([]);
    expect(served.pongs.size).toBe(OUTAGE_TERMINALS);
    // 60 s at one ping per 200 ms: ~300 each; a generous floor, not a timing assertion.
    for (const [tid, n] of served.pongs) expect(n, tid).toBeGreaterThan(150);
    // Sanity only (loopback + the simulator's lan profile): a blocked gateway would show seconds.
    expect(served.maxRttMs).toBeLessThan(1000);
  });

  it('held at most its bounds, and dropped (and counted) the oldest events beyond them', () => {
    expect(run.samples.length).toBeGreaterThanOrEqual(25);
    for (const s of run.samples) {
      expect(s.buffered).toBeLessThanOrEqual(MAX_BUFFERED);
      expect(s.unacked).toBeLessThanOrEqual(MAX_UNACKED);
      expect(s.observerErrors).toBe(0);
    }
    const drops = run.samples.map((s) => s.dropped);
    expect(drops.at(-1)).toBeGreaterThan(drops[0]!);
    expect(drops).toEqual([...drops].sort((a, b) => a - b));
  });

  it('the loss is reported exactly: dropped = made − counted by the hub, and the hub was told the same', () => {
    const s = gateway.probe!.stats();
    const h = hub.stats()!;
    expect(s.dropped).toBeGreaterThan(1000);
    expect(h.droppedByProbe).toBe(s.dropped);
    expect(h.refusedEvents).toBe(0);
    expect(h.lost).toBe(0);
    // The hub also counted one re-announcement (`open` + `resumed`) per connection open at the reconnect.
    expect(h.events - OUTAGE_TERMINALS).toBe(made.length - s.dropped);
    expect(s.eventsSent - OUTAGE_TERMINALS).toBe(made.length - s.dropped);
  });

  it('what the probe made is what the terminals did (the truth): every delivered ping, per terminal', () => {
    const tidOf = new Map(made.flatMap((e) => (e.type === 'open' ? [[e.conn, e.tid] as const] : [])));
    const seen = new Map<string, number>();
    for (const e of made) if (e.type === 'ping') seen.set(tidOf.get(e.conn)!, (seen.get(tidOf.get(e.conn)!) ?? 0) + 1);
    const truth = deliveredPings(run.truth);
    expect(seen.size).toBe(OUTAGE_TERMINALS);
    // A ping in flight when the fleet stopped may be in one and not yet the other.
    for (const [tid, n] of truth) expect(Math.abs((seen.get(tid) ?? 0) - n), tid).toBeLessThanOrEqual(1);
  });

  it('with the hub back, its figures resumed without a restart of the gateway', () => {
    expect(run.connectionsAfter).toBe(OUTAGE_TERMINALS);
    // Heartbeats flowed again after the backlog: 20 terminals × 5 pings/s for more than a second.
    expect(run.eventsResumed).toBeGreaterThan(OUTAGE_TERMINALS * 5);
    expect(gateway.probe!.stats().batchesAcked).toBeGreaterThan(0);
  });
});
