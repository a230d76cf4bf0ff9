/**
 * Runs the store's retention every hour — whose first step rolls the settled hours into the hour
 * tier (Store.rollUp), so this is also the roll-up's schedule. The first run waits a little after start so that it does
 * not compete with a hub that is replaying its backlog; runs never overlap; a failing run is
 * logged loudly and tried again at the next hour — retention failing only costs disk.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { fromSqliteError } from './store-errors.ts';
import type { StoreError } from './store-errors.ts';
import { silentLogger } from './store.ts';
import type { RetentionCounts, Store, StoreLogger } from './store.ts';

export type RetentionJobOptions = {
  store: Pick<Store, 'retention'>;
  clock: Clock;
  intervalMs?: number;
  firstRunDelayMs?: number;
  logger?: StoreLogger;
  onRun?: (counts: RetentionCounts, at: number) => void;
  onError?: (error: StoreError) => void;
};

export interface RetentionJob {
  /** Runs retention now (waiting for a run in progress first); resolves with what it deleted. */
  runNow(): Promise<RetentionCounts>;
  /** No further run starts; a run in progress finishes. */
  stop(): void;
}

export function startRetentionJob(options: RetentionJobOptions): RetentionJob {
  const { store, clock } = options;
  const intervalMs = options.intervalMs ?? 3_600_000;
  const logger = options.logger ?? silentLogger;
  let timer: TimerHandle | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function run(): Promise<RetentionCounts> {
    const at = clock.now();
    const counts = await store.retention(at);
    logger.info({ ...counts, at }, 'store retention: deleted rows older than the retention policy');
    options.onRun?.(counts, at);
    return counts;
  }

  // Runs queue behind each other; the chain itself never rejects, each caller gets its own result.
  function runExclusive(): Promise<RetentionCounts> {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  }

  function tick(): void {
    timer = undefined;
    if (stopped) return;
    runExclusive()
      .catch((raw: unknown) => {
        const error = fromSqliteError(raw);
        logger.error({ code: error.code, err: error }, 'store retention failed; will retry at the next run');
        options.onError?.(error);
      })
      .finally(() => {
        if (!stopped) timer = clock.setTimeout(tick, intervalMs);
      });
  }

  timer = clock.setTimeout(tick, options.firstRunDelayMs ?? 60_000);

  return {
    runNow: runExclusive,
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
