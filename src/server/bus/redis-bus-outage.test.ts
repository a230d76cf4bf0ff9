/**
 * The Redis bus when Redis goes away: through a TCP proxy the test controls (a Redis "restart"
 * without touching the shared server), and by CLIENT KILL of exactly the bus's own connections
 * (not `TYPE normal`, which would cut every other test using the same server).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { frame } from '../../core/test-helpers/telemetry-events.ts';
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import { clientIdByName, redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../test-helpers/tcp-proxy.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { createRedisBus, type RedisBus, type RedisBusOptions } from './redis-bus.ts';

const skip = await requireService('redis', REDIS_URL);
const target = { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) };

/**
 * At-least-once, in order per gateway: each seq first appears right after the one before (repeats
 * of earlier seqs are allowed — the fleet state drops them). Returns the highest seq reached.
 */
function expectNoGapNoReorder(seqs: number[]): number {
  let high = 0;
  for (const s of seqs) {
    if (s <= high) continue;
    expect(s, `after ${high}`).toBe(high + 1);
    high = s;
  }
  return high;
}

describe.skipIf(skip)('redis bus through outages (real Redis)', () => {
  const redis = redisFixture(REDIS_URL);
  const buses: RedisBus[] = [];
  const proxies: TcpProxy[] = [];
  const quiet = { info() {}, warn() {}, error() {} };
  const open = (o: Partial<RedisBusOptions> & { stream: string }): RedisBus => {
    const bus = createRedisBus({ url: REDIS_URL, blockMs: 200, logger: quiet, ...o });
    buses.push(bus);
    return bus;
  };
  const proxy = async () => {
    const p = await startTcpProxy({ target });
    proxies.push(p);
    return { proxy: p, url: `redis://127.0.0.1:${p.port}` };
  };
  const subscribe = async (bus: RedisBus) => {
    const got: TelemetryFrame[] = [];
    bus.subscribe((f) => got.push(f));
    await bus.ready();
    return got;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  afterAll(() => redis.cleanup());

  it('reader: reconnects after Redis goes away and comes back, and reads what was added meanwhile', async () => {
    const stream = redis.key('reader-restart');
    const { proxy: p, url } = await proxy();
    const hub = open({ stream, url });
    const got = await subscribe(hub);
    const gw = open({ stream }); // straight to Redis: the gateway's side stays up
    for (let seq = 1; seq <= 5; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('5 frames', () => got.length === 5);

    await p.stop();
    for (let seq = 6; seq <= 10; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('written while the hub is cut off', () => gw.stats().written === 10);
    await sleep(400); // a few failed reads and reconnect attempts
    expect(hub.stats().readErrors).toBeGreaterThan(0);
    await p.start();

    await waitFor('the frames added during the outage', () => got.length >= 10);
    for (let seq = 11; seq <= 15; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('and the ones after', () => got.length >= 15);
    expect(got.map((f) => f.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(hub.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('publisher: keeps frames while Redis is unreachable and writes them, in order, when it is back', async () => {
    const stream = redis.key('publisher-restart');
    const { proxy: p, url } = await proxy();
    const hub = open({ stream });
    const got = await subscribe(hub);
    const gw = open({ stream, url });
    gw.publish(frame('gw-a', 1, []));
    await waitFor('frame 1', () => got.length === 1);

    await p.stop();
    for (let seq = 2; seq <= 6; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('a failed attempt', () => gw.stats().publishErrors > 0);
    expect(gw.stats()).toMatchObject({ outbox: 5, dropped: 0 });
    await p.start();

    await waitFor('the kept frames', () => got.length >= 6, 8000);
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(gw.stats()).toMatchObject({ outbox: 0, written: 6, dropped: 0 });
  });

  it('publisher: a bounded outbox loses the oldest frames, counted and logged, not silently', async () => {
    const stream = redis.key('outbox-overflow');
    const { proxy: p, url } = await proxy();
    const errors: string[] = [];
    const gw = open({ stream, url, outboxMaxFrames: 3, logger: { ...quiet, error: (_obj, msg) => errors.push(msg) } });
    await p.stop();
    for (let seq = 1; seq <= 5; seq++) gw.publish(frame('gw-a', seq, []));
    expect(gw.stats()).toMatchObject({ published: 5, outbox: 3, dropped: 2 });
    expect(errors.some((m) => /LOST/.test(m))).toBe(true);
    const hub = open({ stream, startFrom: '0-0' });
    const got = await subscribe(hub);
    await p.start();
    await waitFor('the frames kept', () => got.length >= 3, 8000);
    expect(got.map((f) => f.seq)).toEqual([3, 4, 5]);
  });

  it('publisher: close() with Redis gone waits its timeout, then reports the frames as lost', async () => {
    const stream = redis.key('close-while-down');
    const { proxy: p, url } = await proxy();
    await p.stop();
    const gw = createRedisBus({ url, stream, logger: quiet, closeTimeoutMs: 300 });
    gw.publish(frame('gw-a', 1, []));
    gw.publish(frame('gw-a', 2, []));
    const started = Date.now();
    await gw.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(gw.stats()).toMatchObject({ dropped: 2 });
    gw.publish(frame('gw-a', 3, []));
    expect(gw.stats()).toMatchObject({ dropped: 3 });
  });

  it('both sides: connections cut repeatedly while a gateway publishes — every frame arrives, in order', async () => {
    const stream = redis.key('flapping');
    const toGw = await proxy();
    const toHub = await proxy();
    const hub = open({ stream, url: toHub.url });
    const got = await subscribe(hub);
    const gw = open({ stream, url: toGw.url });
    let seq = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 20; i++) {
        gw.publish(frame('gw-a', ++seq, []));
        await sleep(2);
      }
      (round % 2 === 0 ? toGw.proxy : toHub.proxy).cut();
    }
    await waitFor('the last frame', () => got.some((f) => f.seq === seq), 10_000);
    expect(expectNoGapNoReorder(got.map((f) => f.seq))).toBe(seq);
    expect(gw.stats().dropped).toBe(0);
    expect(toGw.proxy.accepted).toBeGreaterThan(1);
    expect(toHub.proxy.accepted).toBeGreaterThan(1);
  });

  it('CLIENT KILL of the reader and the publisher connections: both come back and nothing is missed', async () => {
    const stream = redis.key('client-kill');
    const hub = open({ stream });
    const got = await subscribe(hub);
    const gw = open({ stream });
    gw.publish(frame('gw-a', 1, []));
    await waitFor('frame 1', () => got.length === 1);
    for (const name of [`pulse-bus-reader:${stream}`, `pulse-bus-publisher:${stream}`]) {
      const id = await clientIdByName(redis.admin, name);
      expect(id, name).not.toBeNull();
      await redis.admin.client('KILL', 'ID', id as string);
    }
    for (let seq = 2; seq <= 10; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('frames after the kill', () => got.some((f) => f.seq === 10), 8000);
    expect(expectNoGapNoReorder(got.map((f) => f.seq))).toBe(10);
    expect(hub.stats().reconnects + gw.stats().reconnects).toBeGreaterThanOrEqual(2);
  });
});
