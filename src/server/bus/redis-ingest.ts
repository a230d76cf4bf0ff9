/**
 * The open ingest over Redis (docs/telemetry.md, "Transports"), for probes that already have one:
 * a probe `XADD`s each batch to the stream `pulse:ingest` (or `$PULSE_INGEST_STREAM`) with two
 * fields, `gw` (its gateway id) and `batch` (the batch's JSON text), and every hub reading the
 * Redis bus reads that stream too and takes each batch as `/ingest` would.
 *
 *   XADD pulse:ingest MAXLEN ~ 100000 * gw gw-eu-1 batch '{"v":1,"gw":"gw-eu-1",…}'
 *
 * Whoever may write to the Redis may write telemetry (as on the bus): there is no token. A batch
 * is still checked whole and event by event, and its `gw` must match the entry's.
 *
 * Back-pressure without answers: while the hub is busy the reader stops reading, so batches wait
 * in the stream (bounded by MAXLEN, as the bus's frames are) instead of being dropped.
 */
import { ingestLimits, type IngestAnswer } from '../../protocol/ingest.ts';
import type { IngestTransport } from '../probe/ingest-client.ts';
import { openRedisConnection, type RedisBusLogger } from './redis-connection.ts';

export const DEFAULT_INGEST_STREAM = 'pulse:ingest';
const MAXLEN = 100_000;

export function ingestStream(): string {
  return process.env.PULSE_INGEST_STREAM || DEFAULT_INGEST_STREAM;
}

export interface RedisIngestReaderOptions {
  url: string;
  stream?: string;
  /** The hub's ingest service. */
  target: { accept(gw: string, text: string): IngestAnswer };
  blockMs?: number;
  logger?: RedisBusLogger;
}

export interface RedisIngestReader {
  stats(): { read: number; refused: number; busyPauses: number };
  stop(): Promise<void>;
}

export function startRedisIngestReader(o: RedisIngestReaderOptions): RedisIngestReader {
  const stream = o.stream ?? ingestStream();
  const blockMs = o.blockMs ?? 1000;
  const conn = openRedisConnection({ url: o.url, name: 'pulse-hub-ingest', socketTimeoutMs: blockMs + 5000, logger: o.logger });
  const stats = { read: 0, refused: 0, busyPauses: 0 };
  let stopped = false;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function loop(): Promise<void> {
    let last: string | null = null;
    while (!stopped) {
      try {
        // Pinned before the first read, so a read retried after an error does not skip what came meanwhile.
        if (last === null) {
          const newest = (await conn.redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
          last = newest[0]?.[0] ?? '0-0';
        }
        const res = (await conn.redis.xread('COUNT', 200, 'BLOCK', blockMs, 'STREAMS', stream, last)) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of res?.[0]?.[1] ?? []) {
          const f: Record<string, string> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
          const answer = f.gw && f.batch ? o.target.accept(f.gw, f.batch) : null;
          if (answer?.type === 'busy') {
            // Not taken: read it again once the hub can take it.
            stats.busyPauses++;
            await sleep(answer.retryAfterMs);
            break;
          }
          stats.read++;
          if (answer === null || answer.type === 'error' || (answer.type === 'ack' && answer.refused.length > 0)) {
            stats.refused++;
            o.logger?.warn({ stream, id, gw: f.gw, answer: answer ?? 'entry without gw and batch fields' }, 'redis ingest: refused (part of) a batch');
          }
          last = id;
        }
      } catch (error) {
        if (stopped) return;
        o.logger?.warn({ stream, err: String(error) }, 'redis ingest: read failed; retrying');
        await sleep(500);
      }
    }
  }
  const running = loop();

  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      await conn.close();
      await running;
    },
  };
}

export interface RedisIngestTransportOptions {
  url: string;
  gatewayId: string;
  stream?: string;
  logger?: RedisBusLogger;
}

/**
 * A probe's batches into the Redis stream. Redis has taken a batch once XADD answers: that is its
 * ack (what the hub then refuses is on the hub's metrics). A batch XADD failed for stays
 * unacknowledged and is sent again when the connection is back.
 */
export function redisIngestTransport(o: RedisIngestTransportOptions): IngestTransport {
  const stream = o.stream ?? ingestStream();
  const conn = openRedisConnection({ url: o.url, name: `pulse-probe-${o.gatewayId}`, socketTimeoutMs: 5000, logger: o.logger });
  let handlers: Parameters<IngestTransport['start']>[0] | null = null;
  return {
    send(text) {
      if (conn.redis.status !== 'ready' || Buffer.byteLength(text) > ingestLimits.maxBatchBytes) return false;
      const seq = (JSON.parse(text) as { seq: number }).seq;
      conn.redis.xadd(stream, 'MAXLEN', '~', MAXLEN, '*', 'gw', o.gatewayId, 'batch', text).then(
        () => handlers?.answer({ type: 'ack', seq, accepted: 0, refused: [] }),
        (error: unknown) => o.logger?.warn({ stream, seq, err: String(error) }, 'redis ingest: XADD failed; the batch is sent again on reconnect'),
      );
      return true;
    },
    connected: () => conn.redis.status === 'ready',
    start(h) {
      handlers = h;
      conn.redis.on('ready', () => h.ready());
    },
    close: async () => {
      handlers = null;
      await conn.close();
    },
  };
}
