/**
 * Batches store writes off the live path. The hub only ever pushes onto two arrays; a timer hands
 * them to the store in bounded batches (one transaction each). A failing store (disk full,
 * read-only, locked) is reported loudly and the batch stays at the head of the queue to be retried
 * with backoff — what the queue accepted is written or still queued, never silently dropped.
 *
 * Rows and events handed to the queue belong to it: the caller must not mutate them afterwards.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { StoreError, fromSqliteError } from './store-errors.ts';
import type { StoreErrorCode } from './store-errors.ts';
import { silentLogger } from './store.ts';
import type { LifecycleEvent, RestaurantMinute, Store, StoreLogger } from './store.ts';
import { invalidEventReason, invalidMinuteReason } from './validate-rows.ts';

export type WriteQueueOptions = {
  store: Pick<Store, 'writeMinutes' | 'writeEvents'>;
  clock: Clock;
  /** The longest an accepted item waits before its batch is written; what kill -9 can lose. */
  flushIntervalMs?: number;
  /** Most items per store call (default 500 — ~15 ms of plain SQLite inserts). */
  maxBatch?: number;
  /**
   * Aim for store calls that hold the event loop about this long (default 20 ms): a synchronous
   * SQLite transaction holds it throughout, and merging rows costs ~5× inserting them, so the
   * batch shrinks to what the last calls show fits. Only the synchronous part of a call is
   * measured (injected clock, from the call until it returns its promise): a network store's
   * wait for the server holds nothing, and counting it would shrink its batches until the queue
   * could not keep up.
   */
  targetCallMs?: number;
  /** Past this many queued items the queue reports `backlog` (and still keeps everything). */
  highWaterMark?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  onError?: (error: StoreError, info: { consecutiveFailures: number; retryInMs: number; queued: number }) => void;
  onBacklog?: (info: { queued: number; highWaterMark: number }) => void;
  logger?: StoreLogger;
};

export type WriteQueueStats = {
  queued: number;
  queuedMinutes: number;
  queuedEvents: number;
  /** Items written since the queue was created. */
  written: number;
  /** Failed write attempts since the queue was created (the items stayed queued). */
  failed: number;
  consecutiveFailures: number;
  backlog: boolean;
  /** Store clock time of the last successful write. */
  lastFlushAt?: number;
  lastError?: { code: StoreErrorCode; message: string; at: number };
};

export interface WriteQueue {
  /** Accepts rows for writing; throws STORE_INVALID_ROW (accepting none of them) or STORE_CLOSED. */
  enqueueMinutes(rows: readonly RestaurantMinute[]): void;
  /** Accepts events for writing, in order; throws STORE_INVALID_ROW (accepting none) or STORE_CLOSED. */
  enqueueEvents(events: readonly LifecycleEvent[]): void;
  /** Writes everything queued at the time of the call; rejects with the store's error if a write fails. */
  flush(): Promise<void>;
  stats(): WriteQueueStats;
  /** Refuses further items, stops the timer and flushes; rejects if something could not be written. */
  close(): Promise<void>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const { store, clock } = options;
  const interval = options.flushIntervalMs ?? 1_000;
  const maxBatch = options.maxBatch ?? 500;
  const targetCallMs = options.targetCallMs ?? 20;
  // Smoothed ms per item of each kind, from the calls so far.
  const msPerItem: Record<'minutes' | 'events', number | undefined> = { minutes: undefined, events: undefined };
  const batchOf = (kind: 'minutes' | 'events') => {
    const cost = msPerItem[kind];
    return cost ? Math.max(1, Math.min(maxBatch, Math.floor(targetCallMs / cost))) : maxBatch;
  };
  const measure = (kind: 'minutes' | 'events', size: number, ms: number) => {
    const prev = msPerItem[kind];
    msPerItem[kind] = prev === undefined ? ms / size : 0.7 * prev + 0.3 * (ms / size);
  };
  const highWaterMark = options.highWaterMark ?? 1_000_000;
  const retryBase = options.retryBaseMs ?? 1_000;
  const retryMax = options.retryMaxMs ?? 30_000;
  const logger = options.logger ?? silentLogger;

  const minutes: RestaurantMinute[] = [];
  const events: LifecycleEvent[] = [];
  // Per kind, because the two queues drain independently and flush() must wait for both.
  const accepted = { minutes: 0, events: 0 };
  const done = { minutes: 0, events: 0 };
  let failed = 0;
  let consecutiveFailures = 0;
  let backlog = false;
  let lastFlushAt: number | undefined;
  let lastError: WriteQueueStats['lastError'];
  let lastErrorObject: StoreError | undefined;
  let timer: TimerHandle | undefined;
  let timerDue = Infinity;
  let running: Promise<boolean> | undefined;
  let closed = false;

  const queued = () => minutes.length + events.length;

  function schedule(ms: number): void {
    if (closed) return;
    const due = clock.now() + ms;
    if (timer && timerDue <= due) return; // an earlier write is already planned
    clock.clearTimeout(timer);
    timerDue = due;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerDue = Infinity;
      void runStep();
    }, ms);
  }

  function checkBacklog(): void {
    const n = queued();
    if (!backlog && n > highWaterMark) {
      backlog = true;
      logger.error({ queued: n, highWaterMark, lastError }, 'store write backlog: the store is not keeping up; nothing is dropped, memory grows');
      options.onBacklog?.({ queued: n, highWaterMark });
    } else if (backlog && n <= highWaterMark / 2) {
      backlog = false;
      logger.warn({ queued: n, highWaterMark }, 'store write backlog cleared');
    }
  }

  function accept<T>(items: readonly T[], target: T[], kind: 'minutes' | 'events', invalid: (item: T) => string | undefined): void {
    if (closed) throw new StoreError('STORE_CLOSED', 'the write queue is closed');
    for (const item of items) {
      const why = invalid(item);
      if (why) throw new StoreError('STORE_INVALID_ROW', why);
    }
    for (const item of items) target.push(item);
    accepted[kind] += items.length;
    checkBacklog();
    if (!timer && !running && queued() > 0) schedule(interval);
  }

  // One batch of each kind, each in its own transaction. Items leave the queue only once written.
  async function step(): Promise<boolean> {
    const startedAt = clock.now();
    const m = minutes.slice(0, batchOf('minutes'));
    const e = events.slice(0, batchOf('events'));
    const overflow = minutes.length > m.length || events.length > e.length;
    try {
      if (m.length > 0) {
        const t0 = clock.now();
        const writing = store.writeMinutes(m);
        measure('minutes', m.length, clock.now() - t0);
        await writing;
        minutes.splice(0, m.length);
        done.minutes += m.length;
      }
      if (e.length > 0) {
        const t0 = clock.now();
        const writing = store.writeEvents(e);
        measure('events', e.length, clock.now() - t0);
        await writing;
        events.splice(0, e.length);
        done.events += e.length;
      }
    } catch (raw) {
      failed++;
      consecutiveFailures++;
      const error = fromSqliteError(raw);
      const retryInMs = Math.min(retryMax, retryBase * 2 ** Math.min(consecutiveFailures - 1, 30));
      lastErrorObject = error;
      lastError = { code: error.code, message: error.message, at: clock.now() };
      logger.error({ code: error.code, err: error, consecutiveFailures, retryInMs, queued: queued() }, 'store write failed; batch kept for retry');
      try {
        options.onError?.(error, { consecutiveFailures, retryInMs, queued: queued() });
      } catch (hookError) {
        logger.error({ err: hookError }, 'write queue onError hook threw');
      }
      checkBacklog();
      schedule(retryInMs);
      return false;
    }
    if (consecutiveFailures > 0) logger.warn({ afterFailures: consecutiveFailures, queued: queued() }, 'store writes recovered');
    consecutiveFailures = 0;
    lastFlushAt = clock.now();
    checkBacklog();
    // Overflow waited already: write it at once. Newcomers (possible with an async store) arrived
    // after this step started, so they are due one interval after that.
    if (overflow) schedule(0);
    else if (queued() > 0) schedule(Math.max(0, startedAt + interval - clock.now()));
    return true;
  }

  // `running` is set before the step starts, so a timer that fires while the store is being
  // called (a store may well run the clock) joins this step instead of writing the same items twice.
  function runStep(): Promise<boolean> {
    if (!running) running = Promise.resolve().then(step).finally(() => (running = undefined));
    return running;
  }

  async function flush(): Promise<void> {
    const target = { ...accepted };
    const pending = () => done.minutes < target.minutes || done.events < target.events;
    // Bounded: every round either writes a batch of each pending kind or rejects.
    while (pending()) {
      if (running) await running;
      if (!pending()) return;
      if (!(await runStep())) throw lastErrorObject ?? new StoreError('STORE_INTERNAL', 'write failed');
      // A SQLite store resolves at once: yield so that a long flush does not starve the live path.
      await yieldToLoop();
    }
  }

  return {
    enqueueMinutes: (rows) => accept(rows, minutes, 'minutes', invalidMinuteReason),
    enqueueEvents: (list) => accept(list, events, 'events', invalidEventReason),
    flush,
    stats: () => ({
      queued: queued(),
      queuedMinutes: minutes.length,
      queuedEvents: events.length,
      written: done.minutes + done.events,
      failed,
      consecutiveFailures,
      backlog,
      ...(lastFlushAt !== undefined ? { lastFlushAt } : {}),
      ...(lastError ? { lastError } : {}),
    }),
    async close() {
      closed = true;
      clock.clearTimeout(timer);
      timer = undefined;
      try {
        await flush();
      } catch (error) {
        const e = fromSqliteError(error);
        throw new StoreError(e.code, `closing with ${queued()} items unwritten: ${e.message}`, { cause: e });
      }
    },
  };
}
