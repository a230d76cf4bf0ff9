/**
 * The Bus over Redis Streams, so gateways and hubs run as separate processes (DESIGN.md,
 * "Scale-out"): gateways `XADD` to one stream, every hub `XREAD`s all of it and merges.
 *
 *   const bus = createRedisBus({ url: 'redis://127.0.0.1:6379', logger });
 *   bus.publish(frame);                 // gateway: never waits on Redis (redis-publisher.ts)
 *   const off = bus.subscribe(handler); // hub: frames from the start position on (redis-reader.ts)
 *   await bus.ready();                  // the start position is pinned
 *   bus.lastId();                       // persist it; pass it back as `startFrom` to resume
 *
 * Handlers get each frame's entry id as their second argument. A hub that keeps its own
 * checkpoint calls `resumeAfter(id)` before subscribing, and `caughtUp()` says when the frames
 * it missed have all been handed over (src/server/hub/hub-ingest.ts).
 *   await bus.close();                  // drains the outbox, then closes the connections
 *
 * The contract of bus.ts holds: per-gateway order (one stream, one writer per gateway writing in
 * order), at-least-once (a retried batch may land twice; consumers de-duplicate by (gw, run, seq)),
 * loss counted (outbox overflow here, trimmed entries by the consumers' seq gaps). Each side opens
 * its connection only when used: a gateway has no reader, a hub no publisher.
 *
 * The reader runs while there are subscribers; when the last one leaves it stops, and a later
 * subscriber continues from `lastId()` — so `lastId()` is always "handed to a subscriber".
 */
import type { TelemetryFrame } from '../../protocol/telemetry.ts';
import type { Bus, BusStats, FrameHandler } from './bus.ts';
import { openRedisConnection, type RedisBusLogger, type RedisConnection } from './redis-connection.ts';
import { createRedisPublisher, type RedisPublisher } from './redis-publisher.ts';
import { startRedisReader, type RedisReader, type RedisReaderStats } from './redis-reader.ts';
import { isStreamPosition, type StreamPosition } from './redis-stream-id.ts';

export interface RedisBusOptions {
  /** `redis://[:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Default `pulse:telemetry`. */
  stream?: string;
  /** Approximate cap on the stream (`XADD MAXLEN ~`); default 100,000 frames — over a day of one gateway, ~30 min of 50. */
  maxLen?: number;
  /** How long one XREAD blocks; default 1000. Also bounds how long a silent dead connection goes unnoticed. */
  blockMs?: number;
  /** Where subscribers start: `$` (default: only new frames) or an entry id to resume after. */
  startFrom?: StreamPosition;
  /** Outbox bound while Redis is unreachable; default 10,000 frames and 64 MiB, oldest lost first. */
  outboxMaxFrames?: number;
  outboxMaxBytes?: number;
  /** How long `close()` waits for unwritten frames; default 5000. */
  closeTimeoutMs?: number;
  /** Entries per XREAD; default 500. */
  readCount?: number;
  logger?: RedisBusLogger;
}

export interface RedisBusStats extends BusStats {
  /** Frames Redis acknowledged. */
  written: number;
  /** Publish batches that failed and were retried. */
  publishErrors: number;
  /** Frames waiting for Redis. */
  outbox: number;
  outboxBytes: number;
  /** Stream entries read, valid or not. */
  read: number;
  /** Entries that were not valid telemetry frames: skipped. */
  malformed: number;
  /** Reads that failed and were retried. */
  readErrors: number;
  /** Times a connection of this bus came back after being lost. */
  reconnects: number;
  /** Age of the newest entry read when it was handed over (Redis clock): ~0 when caught up. */
  readLagMs: number;
  lastId: string | null;
}

export interface RedisBus extends Bus {
  /** The stream this bus reads and writes. */
  readonly stream: string;
  /** Subscribers start after this entry id instead of `startFrom`; only before the first subscribe. */
  resumeAfter(position: string): void;
  /** Resolves once the reader has handed over every entry the stream held when it started. */
  caughtUp(): Promise<void>;
  stats(): RedisBusStats;
  /** The id of the last entry handed to subscribers (or the pinned start); null before any. */
  lastId(): string | null;
  /** Resolves when subscribers are certain to get every frame added from now on. */
  ready(): Promise<void>;
}

export const DEFAULT_STREAM = 'pulse:telemetry';

export function createRedisBus(o: RedisBusOptions): RedisBus {
  const stream = o.stream ?? DEFAULT_STREAM;
  const blockMs = o.blockMs ?? 1000;
  const startFrom = o.startFrom ?? '$';
  if (!isStreamPosition(startFrom)) throw new Error(`startFrom must be '$' or a stream id like 1700000000000-0, not ${JSON.stringify(startFrom)}`);
  const handlers = new Set<FrameHandler>();
  const gateways: BusStats['gateways'] = {};
  const counts = { delivered: 0, handlerErrors: 0, redelivered: 0, reconnectsBefore: 0 };
  // Per (gw, run), the highest seq handed over: a lower or equal one is a redelivery.
  const highest = new Map<string, number>();
  let closed = false;

  let publisherConn: RedisConnection | undefined;
  const publisher: RedisPublisher = createRedisPublisher({
    pipeline: () => (publisherConn ??= openRedisConnection({ url: o.url, name: `pulse-bus-publisher:${stream}`, socketTimeoutMs: 10_000, logger: o.logger })).redis.pipeline(),
    stream,
    maxLen: o.maxLen ?? 100_000,
    outboxMaxFrames: o.outboxMaxFrames ?? 10_000,
    outboxMaxBytes: o.outboxMaxBytes ?? 64 * 1024 * 1024,
    logger: o.logger,
  });

  let reading: { conn: RedisConnection; reader: RedisReader } | undefined;
  let position: string | null = startFrom === '$' ? null : startFrom;
  let lastReaderStats: RedisReaderStats = { read: 0, malformed: 0, readErrors: 0, readLagMs: 0 };

  function deliver(frame: TelemetryFrame, id: string): void {
    const g = (gateways[frame.gw] ??= { published: 0, lastSeq: 0 });
    g.lastSeq = frame.seq;
    const key = `${frame.gw}\u0000${frame.run}`;
    if (frame.seq <= (highest.get(key) ?? 0)) counts.redelivered++;
    else highest.set(key, frame.seq);
    // A snapshot, so a handler that unsubscribes another mid-delivery cannot skip a third.
    for (const handler of [...handlers]) {
      if (!handlers.has(handler)) continue;
      counts.delivered++;
      try {
        handler(frame, id);
      } catch (error) {
        counts.handlerErrors++;
        o.logger?.error({ err: String(error), gw: frame.gw, seq: frame.seq }, 'redis bus: a subscriber threw');
      }
    }
  }

  function startReading(): void {
    const conn = openRedisConnection({ url: o.url, name: `pulse-bus-reader:${stream}`, socketTimeoutMs: blockMs + 5000, logger: o.logger });
    const reader = startRedisReader({ redis: conn.redis, stream, from: position ?? '$', blockMs, count: o.readCount ?? 500, deliver, logger: o.logger });
    reading = { conn, reader };
  }

  async function stopReading(): Promise<void> {
    const r = reading;
    if (!r) return;
    reading = undefined;
    // stop() hands over nothing more, so the position is final at once (a subscriber arriving
    // while the old connection closes continues from exactly there).
    const stopped = r.reader.stop();
    position = r.reader.lastId() ?? position;
    // A blocked XREAD ends only with its connection; nothing read is lost by cutting it.
    r.conn.redis.disconnect();
    await stopped;
    lastReaderStats = add(lastReaderStats, r.reader.stats());
    counts.reconnectsBefore += r.conn.reconnects();
  }

  return {
    stream,
    resumeAfter(id) {
      if (reading || closed) throw new Error('redis bus: resumeAfter() must come before the first subscribe');
      if (!isStreamPosition(id) || id === '$') throw new Error(`resumeAfter needs a stream id like 1700000000000-0, not ${JSON.stringify(id)}`);
      position = id;
    },
    caughtUp: async () => {
      await reading?.reader.caughtUp;
    },
    publish(frame) {
      const g = (gateways[frame.gw] ??= { published: 0, lastSeq: 0 });
      if (!closed) {
        g.published++;
        g.lastSeq = frame.seq;
      }
      publisher.publish(frame);
    },
    subscribe(handler) {
      if (closed) throw new Error('redis bus: subscribe after close');
      handlers.add(handler);
      if (!reading) startReading();
      return () => {
        if (!handlers.delete(handler) || handlers.size > 0) return;
        void stopReading();
      };
    },
    ready: async () => {
      await reading?.reader.ready;
    },
    lastId: () => reading?.reader.lastId() ?? position,
    stats() {
      const p = publisher.stats();
      const r = reading ? add(lastReaderStats, reading.reader.stats()) : lastReaderStats;
      const perGateway: BusStats['gateways'] = {};
      for (const gw in gateways) perGateway[gw] = { ...(gateways[gw] as BusStats['gateways'][string]) };
      return {
        published: p.accepted,
        delivered: counts.delivered,
        subscribers: handlers.size,
        backlog: p.outbox,
        dropped: p.dropped,
        redelivered: counts.redelivered,
        handlerErrors: counts.handlerErrors,
        gateways: perGateway,
        written: p.written,
        publishErrors: p.publishErrors,
        outbox: p.outbox,
        outboxBytes: p.outboxBytes,
        ...r,
        reconnects: counts.reconnectsBefore + (reading?.conn.reconnects() ?? 0) + (publisherConn?.reconnects() ?? 0),
        lastId: reading?.reader.lastId() ?? position,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      await stopReading();
      await publisher.flush(o.closeTimeoutMs ?? 5000);
      await publisherConn?.close();
    },
  };
}

/** Reader counts across reader runs (a reader stops when the last subscriber leaves); lag is the latest. */
function add(a: RedisReaderStats, b: RedisReaderStats): RedisReaderStats {
  return { read: a.read + b.read, malformed: a.malformed + b.malformed, readErrors: a.readErrors + b.readErrors, readLagMs: b.readLagMs };
}
