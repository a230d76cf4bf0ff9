/**
 * One ioredis connection of the Redis bus (a publisher's or a reader's), set up so that the bus,
 * not ioredis, decides what is retried:
 *
 * - `maxRetriesPerRequest: 0` and no resend of unfulfilled commands: a command caught by a lost
 *   connection fails at once instead of being replayed later behind the bus's back (a replayed
 *   XADD would land after frames the bus has since retried itself, out of order; a replayed XREAD
 *   would read from a stale position). The bus retries with its own outbox and read position.
 * - The offline queue stays on, so a command issued while connecting waits for the connection
 *   rather than failing; a failed connection attempt flushes it (the bus then backs off).
 * - `socketTimeout`: a half-open socket (no RST ever comes) is noticed when a command gets no
 *   answer in time, and the connection is torn down and redialled.
 * - Reconnection never gives up: a hub or gateway outlives a Redis restart.
 *
 * Errors are logged once per outage, not once per reconnect attempt.
 */
import { Redis } from 'ioredis';

export interface RedisBusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RedisConnection {
  readonly redis: Redis;
  /** Times the connection came back after being lost. */
  reconnects(): number;
  /** Closes for good; pending commands fail. */
  close(): Promise<void>;
}

export interface RedisConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST, so an operator (or a test) can tell the bus's connections apart. */
  name: string;
  /** No answer for this long to a pending command: the socket is dead. */
  socketTimeoutMs: number;
  logger?: RedisBusLogger | undefined;
}

const RETRY_BASE_MS = 50;
const RETRY_MAX_MS = 2000;

export function openRedisConnection(o: RedisConnectionOptions): RedisConnection {
  const redis = new Redis(o.url, {
    connectionName: o.name,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: true,
    socketTimeout: o.socketTimeoutMs,
    connectTimeout: 5000,
    // Full jitter under a low cap: hubs and gateways come back within ~2 s of Redis, not in one herd.
    retryStrategy: (times) => Math.round(Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(times, 10))) + RETRY_BASE_MS,
  });
  const where = describeRedisUrl(o.url);
  let everReady = false;
  let down = false;
  let reconnects = 0;

  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    o.logger?.warn({ redis: where, connection: o.name, err: error.message }, 'redis bus: connection lost or refused; retrying');
  });
  redis.on('close', () => {
    if (everReady) down = true;
  });
  redis.on('ready', () => {
    if (everReady) {
      reconnects++;
      o.logger?.info({ redis: where, connection: o.name, reconnects }, 'redis bus: reconnected');
    }
    everReady = true;
    down = false;
  });

  return {
    redis,
    reconnects: () => reconnects,
    async close() {
      // QUIT lets Redis answer what is in flight; if the connection is down there is nothing to wait for.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

/** host:port of a Redis URL, for logs: never the password. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparsable url)';
  }
}
