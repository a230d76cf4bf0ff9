/**
 * The publishing half of the Redis bus: `publish(frame)` puts the encoded frame in an outbox and
 * returns at once — the gateway's flush never waits on Redis. A writer drains the outbox in order,
 * one pipelined batch of `XADD stream MAXLEN ~ N * frame <json>` at a time.
 *
 * Nothing the gateway produced is dropped silently:
 * - a failed batch stays at the head of the outbox and is retried (backoff 100 ms → 2 s) until Redis
 *   takes it; the frames Redis did take before the failure leave the outbox, the rest are sent
 *   again. A batch whose replies were lost with the connection may land twice: at-least-once, and
 *   consumers de-duplicate by (gw, run, seq).
 * - the outbox is bounded (frames and bytes). Past the bound the OLDEST frames go — the freshest
 *   matter most to a live view — counted in `dropped` and logged as loss; the hub sees the seq gap
 *   and counts it too.
 * - `flush(timeoutMs)` (shutdown) waits for the outbox to empty; what is still in it after that is
 *   counted and logged as lost.
 */
import type { ChainableCommander } from 'ioredis';
import { encodeTelemetryFrame, type TelemetryFrame } from '../../protocol/telemetry.ts';
import type { RedisBusLogger } from './redis-connection.ts';

export interface RedisPublisherOptions {
  /** The connection, opened on the first publish (a hub that never publishes never dials it). */
  pipeline: () => ChainableCommander;
  stream: string;
  maxLen: number;
  outboxMaxFrames: number;
  /** Bound on the outbox's encoded size (counted in UTF-16 units, which JSON of ASCII ids equals in bytes). */
  outboxMaxBytes: number;
  /** Frames per pipelined batch. */
  batch?: number;
  logger?: RedisBusLogger | undefined;
}

export interface RedisPublisherStats {
  /** Frames accepted by `publish`. */
  accepted: number;
  /** Frames Redis acknowledged (a frame retried after a lost reply may count twice). */
  written: number;
  /** Batches that failed and were kept for a retry. */
  publishErrors: number;
  /** Frames lost: outbox overflow, or still unwritten at shutdown, or published after close. */
  dropped: number;
  /** Frames waiting to be written (including the batch in flight). */
  outbox: number;
  outboxBytes: number;
}

interface Entry {
  gw: string;
  seq: number;
  text: string;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2000;

export interface RedisPublisher {
  publish(frame: TelemetryFrame): void;
  stats(): RedisPublisherStats;
  /** Stops accepting frames and waits up to `timeoutMs` for the outbox to drain; returns the frames lost. */
  flush(timeoutMs: number): Promise<number>;
}

export function createRedisPublisher(o: RedisPublisherOptions): RedisPublisher {
  const batchSize = o.batch ?? 256;
  const outbox: Entry[] = [];
  let outboxBytes = 0;
  let inFlight: Entry[] | null = null;
  let immediate: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  /** After shutdown: nothing is retried any more (the connection is about to close). */
  let finished = false;
  let idle: (() => void) | undefined;
  const counts = { accepted: 0, written: 0, publishErrors: 0, dropped: 0 };

  function size(): number {
    return outbox.length + (inFlight?.length ?? 0);
  }

  function schedule(delayMs = 0): void {
    if (finished || immediate !== undefined || retryTimer !== undefined || inFlight !== null || outbox.length === 0) return;
    // setImmediate gathers the frames of one tick into one batch; a retry waits its backoff.
    if (delayMs > 0) retryTimer = setTimeout(drain, delayMs);
    else immediate = setImmediate(drain);
  }

  function cancel(): void {
    if (immediate !== undefined) clearImmediate(immediate);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    immediate = undefined;
    retryTimer = undefined;
  }

  function drain(): void {
    immediate = undefined;
    retryTimer = undefined;
    if (finished || outbox.length === 0) return;
    const batch = outbox.splice(0, batchSize);
    inFlight = batch;
    let pipeline: ChainableCommander;
    try {
      pipeline = o.pipeline();
      for (const e of batch) pipeline.xadd(o.stream, 'MAXLEN', '~', o.maxLen, '*', 'frame', e.text);
    } catch (error) {
      settle(batch, 0, error);
      return;
    }
    pipeline.exec().then(
      (results) => {
        let ok = 0;
        let failure: unknown = results === null ? new Error('pipeline discarded') : undefined;
        for (const [error] of results ?? []) {
          if (error) {
            failure = error;
            break;
          }
          ok++;
        }
        settle(batch, ok, failure);
      },
      (error: unknown) => settle(batch, 0, error),
    );
  }

  function settle(batch: Entry[], ok: number, failure: unknown): void {
    inFlight = null;
    counts.written += ok;
    if (finished) return; // counted as lost by flush() already
    for (let i = 0; i < ok; i++) outboxBytes -= (batch[i] as Entry).text.length;
    if (failure === undefined) {
      if (failures > 0) o.logger?.info({ failures, outbox: size() }, 'redis bus: publishing again; the frames kept meanwhile follow in order');
      failures = 0;
      schedule();
    } else {
      // What Redis did not take goes back to the head of the outbox, in order, for the retry.
      outbox.unshift(...batch.slice(ok));
      counts.publishErrors++;
      failures++;
      if (failures === 1) {
        o.logger?.error({ err: errorText(failure), outbox: size(), gw: batch[ok]?.gw, seq: batch[ok]?.seq }, 'redis bus: publish failed; frames kept in the outbox and retried');
      }
      enforceBound();
      schedule(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10)));
    }
    if (size() === 0) idle?.();
  }

  let lastOverflowLog = -Infinity;
  function enforceBound(): void {
    let lost = 0;
    let first: Entry | undefined;
    while (outbox.length > 0 && (size() > o.outboxMaxFrames || outboxBytes > o.outboxMaxBytes)) {
      const e = outbox.shift() as Entry;
      first ??= e;
      outboxBytes -= e.text.length;
      lost++;
    }
    if (lost === 0) return;
    counts.dropped += lost;
    // Loud, but not one line per frame during a long outage.
    const now = Date.now();
    if (now - lastOverflowLog >= 10_000) {
      lastOverflowLog = now;
      o.logger?.error(
        { lost, droppedTotal: counts.dropped, gw: first?.gw, seq: first?.seq, outbox: size(), outboxBytes },
        'redis bus: outbox full while Redis is unreachable; the oldest frames are LOST (hubs count the gap)',
      );
    }
  }

  return {
    publish(frame) {
      if (closed) {
        counts.dropped++;
        o.logger?.error({ gw: frame.gw, seq: frame.seq }, 'redis bus: frame published after close: lost');
        return;
      }
      const text = encodeTelemetryFrame(frame);
      counts.accepted++;
      outbox.push({ gw: frame.gw, seq: frame.seq, text });
      outboxBytes += text.length;
      enforceBound();
      schedule();
    },
    stats: () => ({ ...counts, outbox: size(), outboxBytes }),
    async flush(timeoutMs) {
      closed = true;
      if (size() > 0) {
        // A retry waiting its backoff goes now: shutdown is when a last attempt is worth most.
        if (retryTimer !== undefined) {
          cancel();
          schedule();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      idle = undefined;
      finished = true;
      cancel();
      // A batch still in flight may yet land; it is counted as lost all the same (at-least-once
      // consumers would rather be told of a loss that did not happen than miss one that did).
      const unwritten = [...(inFlight ?? []), ...outbox];
      if (unwritten.length > 0) {
        counts.dropped += unwritten.length;
        const first = unwritten[0] as Entry;
        o.logger?.error({ lost: unwritten.length, gw: first.gw, seq: first.seq }, 'redis bus: frames still unwritten at shutdown are LOST');
      }
      outbox.length = 0;
      outboxBytes = 0;
      return unwritten.length;
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
