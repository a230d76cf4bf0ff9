/**
 * What a hub resuming from its own checkpoint needs of the Redis bus: each frame's entry id,
 * a start after a given id, and word of when the entries the stream held at start are all read.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { frame } from '../../core/test-helpers/telemetry-events.ts';
import { redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { createRedisBus, type RedisBus } from './redis-bus.ts';

const skip = await requireService('redis', REDIS_URL);

describe.skipIf(skip)('redis bus: resuming (real Redis)', () => {
  const redis = redisFixture(REDIS_URL);
  const buses: RedisBus[] = [];
  const open = (stream: string) => {
    const bus = createRedisBus({ url: REDIS_URL, stream, blockMs: 200, readCount: 3 });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(() => redis.cleanup());

  it('hands each frame over with its entry id, resumes after a given id and says when it has caught up', async () => {
    const stream = redis.key('resume-after');
    const gw = open(stream);
    for (let seq = 1; seq <= 10; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('10 frames written', () => gw.stats().written === 10);
    const ids = (await redis.admin.xrange(stream, '-', '+')).map(([id]) => id);

    const hub = open(stream);
    expect(hub.stream).toBe(stream);
    hub.resumeAfter(ids[3]!);
    const got: { seq: number; id: string | undefined }[] = [];
    let atCaughtUp = -1;
    hub.subscribe((f, id) => got.push({ seq: f.seq, id }));
    expect(() => hub.resumeAfter(ids[0]!)).toThrow(/before the first subscribe/);
    // Published after the start: not part of what "caught up" waits for, read all the same.
    await hub.ready();
    gw.publish(frame('gw-a', 11, []));
    await hub.caughtUp().then(() => (atCaughtUp = got.length));
    // Read 3 at a time: caught up once entry 10 (the stream's last at start) was handed over.
    expect(atCaughtUp).toBeGreaterThanOrEqual(6);
    await waitFor('the frame published after the start', () => got.length === 7);
    await sleep(100);
    expect(got.map((g) => g.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(got.slice(0, 6).map((g) => g.id)).toEqual(ids.slice(4));
    expect(got[6]!.id).toBe(hub.lastId());
  });

  it('is caught up at once when it starts at the end ($) or after the last entry', async () => {
    const stream = redis.key('caught-up');
    const gw = open(stream);
    gw.publish(frame('gw-a', 1, []));
    await waitFor('written', () => gw.stats().written === 1);
    const [[last]] = (await redis.admin.xrange(stream, '-', '+')) as [[string, string[]]];
    for (const start of ['$', last]) {
      const hub = open(stream);
      if (start !== '$') hub.resumeAfter(start);
      const got: number[] = [];
      hub.subscribe((f) => got.push(f.seq));
      await hub.caughtUp();
      expect(got).toEqual([]);
    }
    expect(() => open(stream).resumeAfter('$')).toThrow(/stream id/);
  });
});
