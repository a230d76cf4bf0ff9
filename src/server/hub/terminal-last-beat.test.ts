/**
 * Issue 18, item 12 (second half), on a real gateway, bus probe, hub and SQLite store: a terminal
 * whose connection closed keeps its last heartbeat and RTT on `/api/restaurants/:rid` (null means
 * "none yet", docs/api.md), and reads offline. They used to come from its open connections only,
 * so a close turned both to null. A hub restart starts them at null again: the store keeps no
 * on-time heartbeats (docs/architecture.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { restaurantAnswerSchema } from '../../protocol/api.ts';
import { signTerminalToken, signViewerToken } from '../auth/tokens.ts';
import { connectTerminal } from '../gateway/test-helpers/test-terminal.ts';
import { startHubWithGateway } from './test-helpers/hub-with-gateway.ts';

const secret = 'last-beat-secret-0123456789abcdef';
const engineer = signViewerToken(secret, { sub: 'erin', role: 'engineer' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a disconnected terminal on the hub', () => {
  it('keeps its last heartbeat and RTT after its connection closes, and reads offline', async () => {
    const { hub, gateway } = await startHubWithGateway({ secret, gatewayId: 'gw-beat', probeFlushMs: 100 }, cleanups);

    const terminal = async () => {
      const res = await fetch(`${hub.url}/api/restaurants/r-001`, { headers: { authorization: `Bearer ${engineer}` } });
      if (res.status !== 200) return undefined;
      return restaurantAnswerSchema.parse(await res.json()).terminals.find((t) => t.tid === 'r-001-t1');
    };

    const t = connectTerminal(gateway.url, { kind: 'subprotocol', token: signTerminalToken(secret, 'r-001-t1', 'r-001', 60) });
    await t.next('welcome');
    const sentAt = Date.now();
    t.sendJson({ type: 'ping', seq: 1, timestamp: sentAt, rtt: 42 });
    await t.next('pong');
    await expect.poll(async () => (await terminal())?.rttMs, { timeout: 5_000 }).toBe(42);
    const connected = (await terminal())!;
    expect(connected).toMatchObject({ state: 'connected', health: 'healthy' });
    expect(connected.lastHeartbeatAt).toBeGreaterThanOrEqual(sentAt);

    t.ws.close(1000);
    await t.closed;
    await expect.poll(async () => (await terminal())?.state, { timeout: 5_000 }).toBe('disconnected');
    expect(await terminal()).toMatchObject({ state: 'disconnected', health: 'offline', rttMs: 42, lastHeartbeatAt: connected.lastHeartbeatAt });
  });
});
