/**
 * WAL checkpoints on a worker thread. In WAL mode with synchronous=NORMAL a commit only appends to
 * the WAL; the fsync happens when the WAL is copied back into the database file (a checkpoint).
 * SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 pages — on the hub's
 * event loop — and was measured holding it for 40–460 ms. So the store's own connection has
 * auto-checkpoint off, and this worker, with a connection of its own, runs PASSIVE checkpoints
 * (which never wait for and never block the writer) on a timer.
 *
 * The worker is plain JavaScript evaluated from a string, with the driver's resolved path handed
 * in: `pulse` runs TypeScript through a loader registered in the main thread only, which a worker
 * would not inherit.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { StoreError, fromSqliteError } from './store-errors.ts';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
parentPort.on('message', (m) => {
  if (m === 'checkpoint') {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
    } catch (e) {
      parentPort.postMessage({ ok: false, code: e && e.code, message: String(e && e.message) });
    }
  } else if (m === 'close') {
    db.close();
    parentPort.close();
  }
});
`;

/** SQLite's answer: WAL frames in the log, and how many of them are now in the database file. */
export type CheckpointResult = { busy: number; log: number; checkpointed: number };

export interface Checkpointer {
  /** Runs one checkpoint now (after any in progress). */
  checkpoint(): Promise<CheckpointResult>;
  /** Stops the timer and the worker; the store's own close then does the final checkpoint. */
  stop(): Promise<void>;
}

type Reply = ({ ok: true } & CheckpointResult) | { ok: false; code?: string; message: string };

export function startCheckpointer(options: {
  file: string;
  clock: Clock;
  intervalMs: number;
  onError: (error: StoreError) => void;
}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(workerSource, { eval: true, workerData: { driver, file: options.file } });
  worker.unref(); // a checkpoint timer must not keep a finished process alive
  const waiting: { resolve: (r: CheckpointResult) => void; reject: (e: StoreError) => void }[] = [];
  let dead: StoreError | undefined;
  let timer: TimerHandle | undefined;
  let stopped = false;

  const fail = (error: StoreError) => {
    dead ??= error;
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('message', (reply: Reply) => {
    const w = waiting.shift();
    if (!w) return;
    if (reply.ok) w.resolve({ busy: reply.busy, log: reply.log, checkpointed: reply.checkpointed });
    else w.reject(fromSqliteError(Object.assign(new Error(reply.message), { code: reply.code })));
  });
  worker.on('error', (error) => {
    const e = fromSqliteError(error);
    fail(e);
    if (!stopped) options.onError(e);
  });
  worker.on('exit', () => fail(new StoreError('STORE_CLOSED', 'checkpoint worker exited')));

  const checkpoint = (): Promise<CheckpointResult> => {
    if (dead) return Promise.reject(dead);
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage('checkpoint');
    });
  };

  const tick = () => {
    timer = undefined;
    checkpoint()
      .catch((error: unknown) => {
        if (!stopped) options.onError(fromSqliteError(error));
      })
      .finally(() => {
        if (!stopped && !dead) timer = options.clock.setTimeout(tick, options.intervalMs);
      });
  };
  timer = options.clock.setTimeout(tick, options.intervalMs);

  return {
    checkpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      options.clock.clearTimeout(timer);
      if (dead) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref(); // the shutdown itself must keep the process alive until the file is released
      worker.postMessage('close');
      await exited;
    },
  };
}
