/**
 * At most a few heavy series queries at once. A long window costs seconds of CPU even streamed
 * (series-query.ts); the hub has one event loop, and an unbounded number of them would share it
 * until every one — and the live path — is slow. Beyond the limit a call is refused at once with
 * 503 QUERY_BUSY and a Retry-After, rather than queued: a queue holds sockets and memory for work
 * the viewer may have given up on, and the dashboard retries on its next refresh anyway.
 */
import { PulseError } from '../../../protocol/errors.ts';

/** Windows longer than this are heavy (a day: up to 1,440 rows per restaurant). */
export const heavyWindowMs = 86_400_000;
export const defaultMaxHeavy = 2;
/** Seconds a refused viewer is told to wait: about one heavy query's time on a 30-day fleet. */
export const queryBusyRetryAfterS = 10;

export class QueryBusyError extends PulseError {
  readonly retryAfterS = queryBusyRetryAfterS;
  constructor(max: number) {
    super('QUERY_BUSY', `${max} long series queries are already running; retry in ${queryBusyRetryAfterS} s`);
  }
}

export function createHeavyLimit(max = defaultMaxHeavy) {
  let running = 0;
  return {
    /** Runs `fn`, counting it against the limit when heavy; throws QueryBusyError when full. */
    async run<T>(heavy: boolean, fn: () => Promise<T>): Promise<T> {
      if (!heavy) return fn();
      if (running >= max) throw new QueryBusyError(max);
      running++;
      try {
        return await fn();
      } finally {
        running--;
      }
    },
    get running() {
      return running;
    },
  };
}

export type HeavyLimit = ReturnType<typeof createHeavyLimit>;
