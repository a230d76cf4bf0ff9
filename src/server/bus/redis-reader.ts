/**
 * The reading half of the Redis bus: one `XREAD BLOCK` loop on its own connection (a blocked
 * connection can do nothing else), handing every entry of the stream to `deliver` in stream order.
 * Every hub reads the whole stream (DESIGN.md, "Scale-out"): no consumer group, no acks — the read
 * position is the reader's own, `lastId()`, which a hub may persist to resume after a restart.
 *
 * - A start at `$` is pinned to the stream's current last id before the first read, so a read that
 *   fails and is retried does not skip what arrived in between (a retried `XREAD … $` would).
 * - A lost connection fails the pending read (see redis-connection.ts); the loop backs off and reads
 *   again from `lastId()` once ioredis has reconnected: nothing is skipped, and nothing is read twice
 *   by this reader (gateways' retries may still put a frame in the stream twice).
 * - Resuming from an id older than the stream's first entry means the entries in between were
 *   trimmed (MAXLEN): said loudly; the fleet state counts the frames as lost by their seq gaps.
 * - An entry that is not a valid telemetry frame is counted, logged and skipped.
 */
import type { Redis } from 'ioredis';
import { decodeTelemetryFrame, type TelemetryFrame } from '../../protocol/telemetry.ts';
import type { RedisBusLogger } from './redis-connection.ts';
import { compareStreamIds, streamIdMs, type StreamPosition } from './redis-stream-id.ts';

export interface RedisReaderOptions {
  redis: Redis;
  stream: string;
  from: StreamPosition;
  blockMs: number;
  /** Entries per XREAD. */
  count: number;
  /** Every valid frame, with its entry id. */
  deliver: (frame: TelemetryFrame, id: string) => void;
  logger?: RedisBusLogger | undefined;
}

export interface RedisReaderStats {
  /** Entries read (valid or not). */
  read: number;
  malformed: number;
  /** Reads that failed (connection lost, Redis down); each was retried. */
  readErrors: number;
  /** Age of the newest entry when it was handed over, by the Redis clock in its id: ~0 when caught up. */
  readLagMs: number;
}

export interface RedisReader {
  /** Resolves once the start position is pinned: frames added after this are certain to be read. */
  readonly ready: Promise<void>;
  /** The id of the last entry handed over (or the pinned start), null before the start is pinned. */
  lastId(): string | null;
  /**
   * Resolves once every entry the stream held when the reader started has been handed over (at
   * once for a start at `$`): a consumer replaying what it missed knows when it is live again.
   */
  readonly caughtUp: Promise<void>;
  stats(): RedisReaderStats;
  /** Stops after the current entry; the caller then closes the connection to end a blocked read. */
  stop(): Promise<void>;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2000;

export function startRedisReader(o: RedisReaderOptions): RedisReader {
  let running = true;
  let position: string | null = o.from === '$' ? null : o.from;
  const counts = { read: 0, malformed: 0, readErrors: 0, readLagMs: 0 };
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let markCaughtUp: () => void = () => {};
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  /** The stream's last entry when the reader started: reaching it is being caught up. */
  let target: string | null = null;
  let wakeSleep: (() => void) | undefined;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async function pin(): Promise<void> {
    const last = (await o.redis.xrevrange(o.stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const lastId = last[0]?.[0] ?? '0-0';
    if (position === null) {
      position = lastId;
      markCaughtUp();
      return;
    }
    if (compareStreamIds(position, lastId) >= 0) markCaughtUp();
    else target = lastId;
    if (compareStreamIds(position, '0-0') === 0) return;
    const first = (await o.redis.xrange(o.stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const firstId = first[0]?.[0];
    if (firstId !== undefined && compareStreamIds(firstId, position) > 0) {
      o.logger?.warn(
        { stream: o.stream, resumeAfter: position, streamStartsAt: firstId },
        'redis bus: resuming after an entry the stream no longer holds; frames trimmed meanwhile are LOST (counted as gaps)',
      );
    }
  }

  function handle(id: string, fields: string[]): void {
    position = id;
    counts.read++;
    if (target !== null && compareStreamIds(id, target) >= 0) {
      target = null;
      // After this entry is handed over (below): resolution runs after this synchronous loop.
      markCaughtUp();
    }
    let text: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'frame') text = fields[i + 1];
    const decoded = text === undefined ? null : decodeTelemetryFrame(text);
    if (!decoded?.ok) {
      counts.malformed++;
      const why = decoded ? `${decoded.error.code}: ${decoded.error.message}` : 'no "frame" field';
      o.logger?.warn({ stream: o.stream, id, why }, 'redis bus: skipped an entry that is not a telemetry frame');
      return;
    }
    o.deliver(decoded.value, id);
  }

  async function loop(): Promise<void> {
    let pinned = false;
    while (running) {
      try {
        if (!pinned) {
          await pin();
          pinned = true;
          markReady();
          continue;
        }
        const reply = (await o.redis.xread('COUNT', o.count, 'BLOCK', o.blockMs, 'STREAMS', o.stream, position as string)) as
          | [string, [string, string[]][]][]
          | null;
        if (failures > 0) {
          o.logger?.info({ stream: o.stream, after: position, failures }, 'redis bus: reading again after the connection came back');
          failures = 0;
        }
        if (!reply) {
          // Nothing more within a whole block: whatever the target was, it is not coming (trimmed).
          markCaughtUp();
          continue;
        }
        for (const [, entries] of reply) {
          for (const [id, fields] of entries) {
            if (!running) return;
            handle(id, fields);
          }
          const newest = entries[entries.length - 1];
          const ms = newest ? streamIdMs(newest[0]) : null;
          if (ms !== null) counts.readLagMs = Math.max(0, Date.now() - ms);
        }
      } catch (error) {
        if (!running) return;
        counts.readErrors++;
        failures++;
        if (failures === 1) {
          o.logger?.warn({ stream: o.stream, after: position, err: error instanceof Error ? error.message : String(error) }, 'redis bus: read failed; retrying from the last entry read');
        }
        await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10)));
      }
    }
  }

  const done = loop().catch((error: unknown) => {
    // Only a bug in a handler that escaped `deliver`'s own guard could get here.
    o.logger?.error({ err: String(error) }, 'redis bus: reader stopped on an unexpected error');
  });

  return {
    ready,
    caughtUp,
    lastId: () => position,
    stats: () => ({ ...counts }),
    async stop() {
      running = false;
      wakeSleep?.();
      markReady();
      markCaughtUp();
      await done;
    },
  };
}
