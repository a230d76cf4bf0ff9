/**
 * The open ingest over real Redis: a probe's ingest client XADDs its batches, a hub's reader takes
 * them as /ingest would — and while the hub is busy, batches wait in the stream, none dropped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.ts';
import { INGEST_VERSION } from '../../protocol/ingest.ts';
import { createIngestService } from '../hub/ingest/ingest-service.ts';
import { createIngestClient } from '../probe/ingest-client.ts';
import { redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { waitFor } from '../test-helpers/wait-for.ts';
import { redisIngestTransport, startRedisIngestReader } from './redis-ingest.ts';

const skip = await requireService('redis', REDIS_URL);

describe.skipIf(skip)('redis ingest (real Redis)', () => {
  const redis = redisFixture(REDIS_URL);
  afterAll(() => redis.cleanup());

  it('batches XADDed by a probe reach the hub\'s ingest, in order, each once', async () => {
    const stream = redis.key('ingest');
    let busy = true;
    const service = createIngestService({ clock: systemClock(), heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000, busy: () => busy, retryAfterMs: 100 });
    const reader = startRedisIngestReader({ url: REDIS_URL, stream, target: service, blockMs: 200 });
    const client = createIngestClient({ gatewayId: 'gw-redis', transport: redisIngestTransport({ url: REDIS_URL, gatewayId: 'gw-redis', stream }), flushMs: 100 });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t = Date.now();
      client.push({ type: 'open', t, conn: 'c1', rid: 'r-001', tid: 'till-1', via: 'query' });
      client.push({ type: 'ping', t: t + 1, conn: 'c1', rtt: 4 });
      await waitFor('the reader paused for a busy hub', () => reader.stats().busyPauses > 0, 5000);
      expect(service.stats().get('gw-redis')?.events ?? 0).toBe(0);
      busy = false;
      await waitFor('both events taken', () => (service.stats().get('gw-redis')?.events ?? 0) === 2, 5000);
      // A junk entry is counted, not fatal; a batch naming another gateway is refused.
      await redis.admin.xadd(stream, '*', 'nothing', 'here');
      await redis.admin.xadd(stream, '*', 'gw', 'gw-redis', 'batch', JSON.stringify({ v: INGEST_VERSION, gw: 'gw-other', run: 1, seq: 1, t, events: [] }));
      await waitFor('both refused', () => reader.stats().refused === 2, 5000);
      expect(service.stats().get('gw-redis')).toMatchObject({ events: 2, refusedEvents: 0, duplicates: 0 });
    } finally {
      await client.close(500);
      await reader.stop();
      service.close();
    }
  });
});
