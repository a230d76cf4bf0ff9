/**
 * A *restarted* hub and the Python probe (the report on issue 11; the Node probe's is
 * node/hub-restart.test.ts): the FastAPI example gateway with its probe on, terminals open, the
 * hub stopped for a few seconds and a new one started over the same SQLite data dir on the same
 * port (test-helpers/hub-restart.ts). The probe re-announces its open connections at the head of
 * the first resent batch, so the new hub refuses none of the backlog's events as
 * UNKNOWN_CONNECTION.
 *
 * Not exact like the Node test's count: a Python process cannot be asked whether the old hub
 * acknowledged everything before it stopped, so a batch whose ack was lost with the old hub is
 * counted by both — the hubs' sum is at least what the probe made, never less.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEvent } from '../../protocol/ingest.ts';
import type { ProbeIngestStats } from '../hub/ingest/ingest-service.ts';
import type { Fleet } from '../sim/fleet.ts';
import { makeTempDir } from '../store/test-helpers/temp-dir.ts';
import { requireFastApi, startFastApiGateway, type FastApiGateway } from '../test-helpers/fastapi-gateway.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { OUTAGE_GRACE_MS, OUTAGE_HEARTBEAT_MS, OUTAGE_TERMINALS, RECONNECT_BOUND_MS } from './test-helpers/hub-outage.ts';
import { startRestartableHub, startRestartFleet, type RestartableHub } from './test-helpers/hub-restart.ts';

const pulseSecret = 'pulse-own-secret-0123456789abcdef';
const gatewaySecret = 'fynlo-style-gateway-secret-0123456789';
const GATEWAY_ID = 'gw-py-restart';
const DOWN_MS = 3000;

const skip = requireFastApi();
let hub: RestartableHub;
let gateway: FastApiGateway;
let fleet: Fleet | undefined;
let oldStats: ProbeIngestStats;
let made: RawEvent[] = [];
let connectionsAfter = 0;
const cleanup: (() => unknown)[] = [];

function readTap(file: string): RawEvent[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // a line being written is left for the next read
  return lines.map((l) => JSON.parse(l) as RawEvent);
}

beforeAll(async () => {
  if (skip) return;
  const tmp = makeTempDir('pulse-py-restart-');
  cleanup.push(tmp.remove);
  const tap = `${tmp.dir}/tap.ndjson`;
  hub = await startRestartableHub({ secret: pulseSecret, gatewayId: GATEWAY_ID });
  cleanup.push(() => hub.stop());
  gateway = await startFastApiGateway({ secret: gatewaySecret, heartbeatIntervalMs: OUTAGE_HEARTBEAT_MS, heartbeatGraceMs: OUTAGE_GRACE_MS, probe: { hub: hub.ingestUrl, token: hub.gatewayToken, gateway: GATEWAY_ID, tap } });
  cleanup.push(() => gateway.stop());
  fleet = await startRestartFleet(gateway.url, gatewaySecret);
  cleanup.push(() => fleet?.stop());
  await waitFor('every terminal connected', () => fleet!.connectedCount() === OUTAGE_TERMINALS, 15_000);
  await waitFor('the hub knows every connection', () => hub.stats()?.connections === OUTAGE_TERMINALS, 15_000);

  oldStats = (await hub.restart(DOWN_MS))!;
  const upAt = Date.now();
  await waitFor('the probe reaches the new hub', () => (hub.stats()?.lastBatchAt ?? 0) > upAt, RECONNECT_BOUND_MS);
  for (let i = 0; i < 50 && (connectionsAfter = await hub.connections()) !== OUTAGE_TERMINALS; i++) await sleep(100);
  await fleet.stop();
  await waitFor('the new hub has every close', () => {
    made = readTap(tap);
    const h = hub.stats();
    return made.filter((e) => e.type === 'close').length === OUTAGE_TERMINALS && h !== undefined && h.connections === 0 && oldStats.events + h.events + h.refusedEvents - OUTAGE_TERMINALS >= made.length;
  }, 15_000);
}, 90_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe.skipIf(skip)('the Python probe and a restarted hub', () => {
  it('the new hub refused nothing: it knew every connection before the backlog reached it', () => {
    const h = hub.stats()!;
    expect(oldStats.refusedEvents).toBe(0);
    expect(h.refusedByCode).toEqual({});
    expect(connectionsAfter).toBe(OUTAGE_TERMINALS);
  });

  it('every event made reached one hub or the other (+ one resumed open per connection)', () => {
    const h = hub.stats()!;
    expect(made.filter((e) => e.type === 'ping').length).toBeGreaterThan(0);
    expect(h.droppedByProbe + h.lost).toBe(0);
    expect(oldStats.events + h.events - OUTAGE_TERMINALS).toBeGreaterThanOrEqual(made.length);
  });
});
