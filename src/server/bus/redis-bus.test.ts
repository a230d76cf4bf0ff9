import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FleetState } from '../../core/fleet-state.ts';
import { frame } from '../../core/test-helpers/telemetry-events.ts';
import { encodeTelemetryFrame, type TelemetryFrame } from '../../protocol/telemetry.ts';
import { redisFixture } from '../test-helpers/redis-fixture.ts';
import { REDIS_URL, requireService } from '../test-helpers/services.ts';
import { sleep, waitFor } from '../test-helpers/wait-for.ts';
import { createRedisBus, type RedisBus, type RedisBusOptions } from './redis-bus.ts';

const skip = await requireService('redis', REDIS_URL);

/** Seqs of one gateway as received, in order. */
const seqsOf = (frames: TelemetryFrame[], gw: string) => frames.filter((f) => f.gw === gw).map((f) => f.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.skipIf(skip)('redis bus (real Redis)', () => {
  const redis = redisFixture(REDIS_URL);
  const buses: RedisBus[] = [];
  const open = (o: Omit<RedisBusOptions, 'url'>): RedisBus => {
    const bus = createRedisBus({ url: REDIS_URL, blockMs: 200, ...o });
    buses.push(bus);
    return bus;
  };
  const hub = async (stream: string, o: Partial<RedisBusOptions> = {}) => {
    const bus = open({ stream, ...o });
    const got: TelemetryFrame[] = [];
    bus.subscribe((f) => got.push(f));
    await bus.ready();
    return { bus, got };
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(() => redis.cleanup());

  it('gives two hubs every frame of two gateways, in order per gateway, exactly once', async () => {
    const stream = redis.key('two-by-two');
    const [h1, h2] = [await hub(stream), await hub(stream)];
    const gwA = open({ stream });
    const gwB = open({ stream });
    for (let seq = 1; seq <= 150; seq++) {
      gwA.publish(frame('gw-a', seq, []));
      gwB.publish(frame('gw-b', seq, []));
      if (seq % 50 === 0) await sleep(5); // several batches, interleaved in the stream
    }
    await waitFor('both hubs to read 300 frames', () => h1.got.length >= 300 && h2.got.length >= 300);
    await sleep(300); // and nothing more
    for (const { bus, got } of [h1, h2]) {
      expect(got).toHaveLength(300);
      expect(seqsOf(got, 'gw-a')).toEqual(range(1, 150));
      expect(seqsOf(got, 'gw-b')).toEqual(range(1, 150));
      // What the hub does with them: every frame applied, none a duplicate, no gap.
      const state = new FleetState();
      expect(got.map((f) => state.applyFrame(f)).every((r) => r === 'applied')).toBe(true);
      expect(bus.stats()).toMatchObject({ delivered: 300, malformed: 0, redelivered: 0, readErrors: 0 });
    }
    for (const gw of [gwA, gwB]) expect(gw.stats()).toMatchObject({ published: 150, written: 150, outbox: 0, dropped: 0, publishErrors: 0 });
    expect(await redis.admin.xlen(stream)).toBe(300);
  });

  it('starts a subscriber from a saved id with exactly the frames after it', async () => {
    const stream = redis.key('resume-from-id');
    const gw = open({ stream });
    for (let seq = 1; seq <= 10; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('10 frames written', () => gw.stats().written === 10);
    const ids = (await redis.admin.xrange(stream, '-', '+')).map(([id]) => id);
    const { got, bus } = await hub(stream, { startFrom: ids[3] });
    await waitFor('6 frames', () => got.length >= 6);
    gw.publish(frame('gw-a', 11, []));
    await waitFor('the next frame too', () => got.length >= 7);
    await sleep(200);
    expect(got.map((f) => f.seq)).toEqual(range(5, 11));
    expect(bus.lastId()).toBe((await redis.admin.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0]);
  });

  it("'$' means only what is added after subscribing", async () => {
    const stream = redis.key('from-now');
    const gw = open({ stream });
    gw.publish(frame('gw-a', 1, []));
    await waitFor('written', () => gw.stats().written === 1);
    const { got } = await hub(stream);
    gw.publish(frame('gw-a', 2, []));
    await waitFor('frame 2', () => got.length >= 1);
    await sleep(200);
    expect(got.map((f) => f.seq)).toEqual([2]);
  });

  it('loses nothing when a hub is closed mid-stream and a new one resumes from its lastId', async () => {
    const stream = redis.key('close-reopen');
    const gw = open({ stream });
    const first = await hub(stream);
    let seq = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        gw.publish(frame('gw-a', ++seq, []));
        await sleep(2);
      }
    })();
    await waitFor('the first hub to be reading', () => first.got.length >= 30);
    await first.bus.close();
    const saved = first.bus.lastId();
    expect(saved).not.toBeNull();
    const countAtClose = first.got.length;
    await sleep(100); // the gateway carries on while no hub reads
    const second = await hub(stream, { startFrom: saved as string });
    await waitFor('the second hub to be reading', () => second.got.length >= 30);
    publishing = false;
    await publisher;
    await waitFor('the second hub to catch up', () => (second.got.at(-1)?.seq ?? 0) === seq);
    expect(first.got.length).toBe(countAtClose); // a closed bus hands over nothing more
    expect([...first.got, ...second.got].map((f) => f.seq)).toEqual(range(1, seq));
  });

  it('continues from where it stopped when the last subscriber leaves and another comes', async () => {
    const stream = redis.key('resubscribe');
    const gw = open({ stream });
    const bus = open({ stream });
    const got: number[] = [];
    const off = bus.subscribe((f) => got.push(f.seq));
    await bus.ready();
    gw.publish(frame('gw-a', 1, []));
    await waitFor('frame 1', () => got.length === 1);
    off();
    gw.publish(frame('gw-a', 2, []));
    await waitFor('written', () => gw.stats().written === 2);
    bus.subscribe((f) => got.push(f.seq));
    await waitFor('frame 2 after resubscribing', () => got.length === 2);
    expect(got).toEqual([1, 2]);
  });

  it('skips and counts entries that are not telemetry frames, and logs each', async () => {
    const stream = redis.key('malformed');
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const { bus, got } = await hub(stream, { logger });
    const good = (seq: number) => encodeTelemetryFrame(frame('gw-a', seq, []));
    await redis.admin.xadd(stream, '*', 'frame', good(1));
    const junk = [
      ['frame', '{not json'],
      ['frame', JSON.stringify({ ...frame('gw-a', 2, []), v: 99 })],
      ['frame', JSON.stringify({ ...frame('gw-a', 2, []), seq: -1 })],
      ['other', good(2)],
    ];
    const junkIds: string[] = [];
    for (const fields of junk) junkIds.push((await redis.admin.xadd(stream, '*', ...fields)) as string);
    await redis.admin.xadd(stream, '*', 'frame', good(2));
    await waitFor('both good frames', () => got.length >= 2);
    expect(got.map((f) => f.seq)).toEqual([1, 2]);
    expect(bus.stats()).toMatchObject({ read: 6, malformed: 4, delivered: 2 });
    const warned = logger.warn.mock.calls.map(([obj]) => (obj as { id: string }).id);
    expect(warned).toEqual(junkIds);
  });

  it('counts a subscriber that throws and still feeds the others', async () => {
    const stream = redis.key('throwing-handler');
    const bus = open({ stream, logger: { info() {}, warn() {}, error() {} } });
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('bug in a handler');
    });
    bus.subscribe((f) => got.push(f.seq));
    await bus.ready();
    const gw = open({ stream });
    gw.publish(frame('gw-a', 1, []));
    gw.publish(frame('gw-a', 2, []));
    await waitFor('both frames', () => got.length === 2);
    expect(bus.stats()).toMatchObject({ handlerErrors: 2, delivered: 4 });
  });

  it('trims the stream to about maxLen', async () => {
    const stream = redis.key('trim');
    const gw = open({ stream, maxLen: 100 });
    for (let seq = 1; seq <= 1000; seq++) gw.publish(frame('gw-a', seq, []));
    await waitFor('all written', () => gw.stats().written === 1000);
    const len = await redis.admin.xlen(stream);
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(1000);
  });

  it('refuses a start position that is not $ or a stream id', () => {
    expect(() => createRedisBus({ url: REDIS_URL, startFrom: 'yesterday' })).toThrow(/startFrom/);
  });
});
