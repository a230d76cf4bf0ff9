import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { StoreError } from './store-errors.ts';
import type { StoreLogger } from './store.ts';
import { MINUTE, T0, minuteRow, openEvent } from './test-helpers/fixtures.ts';
import { ScriptedStore, settle } from './test-helpers/scripted-store.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';
import { createWriteQueue } from './write-queue.ts';
import type { WriteQueueOptions } from './write-queue.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function recordingLogger() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, obj });
  const logger: StoreLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function setup(options: Partial<WriteQueueOptions> = {}) {
  const store = new ScriptedStore();
  const clock = new FakeClock(T0);
  const errors: StoreError[] = [];
  const { logger, lines } = recordingLogger();
  const queue = createWriteQueue({ store, clock, logger, onError: (e) => errors.push(e), ...options });
  return { store, clock, queue, errors, lines };
}

const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => openEvent(T0 + from + i, `r-001-t${from + i}`));
const rows = (n: number) => Array.from({ length: n }, (_, i) => minuteRow(`r-${i}`, T0 + MINUTE));

describe('write queue', () => {
  it('never touches the store on enqueue, and writes one interval after the first item', async () => {
    const { store, clock, queue } = setup({ flushIntervalMs: 1000 });
    queue.enqueueEvents(events(2));
    clock.advance(500);
    queue.enqueueMinutes(rows(1));
    await settle();
    expect(store.attempts).toBe(0);
    expect(queue.stats()).toMatchObject({ queued: 3, written: 0 });
    clock.advance(499);
    await settle();
    expect(store.attempts).toBe(0);
    clock.advance(1);
    await settle();
    expect(store.batches).toEqual([
      { kind: 'minutes', size: 1 },
      { kind: 'events', size: 2 },
    ]);
    expect(queue.stats()).toMatchObject({ queued: 0, written: 3, failed: 0, lastFlushAt: T0 + 1000 });
    expect(clock.pendingCount).toBe(0); // an empty queue keeps no timer
  });

  it('splits into batches of maxBatch and writes the overflow at once, in order', async () => {
    const { store, clock, queue } = setup({ flushIntervalMs: 1000, maxBatch: 3 });
    const list = events(7);
    queue.enqueueEvents(list);
    clock.advance(1000);
    for (let i = 0; i < 5; i++) {
      await settle();
      clock.advance(0);
    }
    expect(store.batches.map((b) => b.size)).toEqual([3, 3, 1]);
    expect(store.events).toEqual(list);
    expect(clock.now()).toBe(T0 + 1000);
  });

  it('shrinks batches to what fits in targetCallMs when the store is slow', async () => {
    const { store, clock, queue } = setup({ maxBatch: 500, targetCallMs: 20 });
    store.cost = { clock, msPerItem: 0.2 };
    queue.enqueueEvents(events(1000));
    await queue.flush();
    // The first call shows 0.2 ms an item, so later calls take 20 / 0.2 = 100 items.
    expect(store.batches.map((b) => b.size)).toEqual([500, 100, 100, 100, 100, 100]);
    expect(store.events).toEqual(events(1000));
  });

  it('keeps full batches when a store is slow only in waiting for its server (the event loop runs meanwhile)', async () => {
    const { store, clock, queue } = setup({ maxBatch: 500, targetCallMs: 20 });
    store.cost = { clock, msPerItem: 0.2, waiting: true };
    queue.enqueueEvents(events(1000));
    await queue.flush();
    expect(store.batches.map((b) => b.size)).toEqual([500, 500]);
    expect(store.events).toEqual(events(1000));
  });

  it('keeps a failing batch, retries with backoff, loses nothing and reports the error', async () => {
    const { store, clock, queue, errors, lines } = setup({ flushIntervalMs: 1000, retryBaseMs: 1000, retryMaxMs: 4000 });
    store.failWith = 'STORE_FULL';
    const first = events(5);
    queue.enqueueEvents(first);
    const attemptTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.runNext();
      attemptTimes.push(clock.now() - T0);
      await settle();
    }
    // 1 s interval, then retries after 1, 2, 4 and (capped) 4 s.
    expect(attemptTimes).toEqual([1000, 2000, 4000, 8000, 12000]);
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill('STORE_FULL'));
    expect(queue.stats()).toMatchObject({ queued: 5, written: 0, failed: 5, consecutiveFailures: 5, lastError: { code: 'STORE_FULL', at: T0 + 12000 } });
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(5);

    queue.enqueueEvents(events(2, 100)); // accepted while failing
    store.failWith = undefined;
    clock.runNext();
    await settle();
    expect(store.events).toEqual([...first, ...events(2, 100)]);
    expect(queue.stats()).toMatchObject({ queued: 0, written: 7, failed: 5, consecutiveFailures: 0 });
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'store writes recovered')).toBe(true);
  });

  it('reports a backlog past the high-water mark and still keeps every item', async () => {
    const backlogs: number[] = [];
    const { store, queue } = setup({ highWaterMark: 10, onBacklog: (i) => backlogs.push(i.queued), retryMaxMs: 1000 });
    store.failWith = 'STORE_READONLY';
    queue.enqueueEvents(events(8));
    expect(queue.stats().backlog).toBe(false);
    queue.enqueueEvents(events(3, 8));
    queue.enqueueEvents(events(3, 11));
    expect(backlogs).toEqual([11]); // once, on crossing
    expect(queue.stats()).toMatchObject({ queued: 14, backlog: true });
    store.failWith = undefined;
    await queue.flush();
    expect(store.events).toEqual(events(14));
    expect(queue.stats()).toMatchObject({ queued: 0, backlog: false });
  });

  it('flush() writes everything queued and rejects with the store error when it cannot', async () => {
    const { store, queue } = setup({ maxBatch: 4 });
    queue.enqueueMinutes(rows(6));
    queue.enqueueEvents(events(9));
    await queue.flush();
    expect(store.minutes).toHaveLength(6);
    expect(store.events).toEqual(events(9));
    store.failWith = 'STORE_BUSY';
    queue.enqueueEvents(events(1, 50));
    await expect(queue.flush()).rejects.toMatchObject({ code: 'STORE_BUSY' });
    expect(queue.stats().queued).toBe(1);
  });

  it('refuses an invalid item at once and accepts none of its list', () => {
    const { queue } = setup();
    expect(() => queue.enqueueMinutes([minuteRow('r-1', T0), minuteRow('r-2', T0 + 5)])).toThrow(expect.objectContaining({ code: 'STORE_INVALID_ROW' }));
    expect(() => queue.enqueueEvents([{ ...openEvent(T0, 'r-1-t1'), type: 'heartbeat' } as never])).toThrow(expect.objectContaining({ code: 'STORE_INVALID_ROW' }));
    expect(queue.stats().queued).toBe(0);
  });

  it('close() flushes, then refuses new items; with a failing store it says how much is left', async () => {
    const ok = setup();
    ok.queue.enqueueEvents(events(3));
    await ok.queue.close();
    expect(ok.store.events).toEqual(events(3));
    expect(() => ok.queue.enqueueEvents(events(1))).toThrow(expect.objectContaining({ code: 'STORE_CLOSED' }));
    expect(ok.clock.pendingCount).toBe(0);

    const bad = setup();
    bad.store.failWith = 'STORE_IO';
    bad.queue.enqueueEvents(events(3));
    await expect(bad.queue.close()).rejects.toThrow(/closing with 3 items unwritten/);
    expect(bad.clock.pendingCount).toBe(0); // no retry timer outlives close()
  });

  it('with real SQLite: a write lock held elsewhere fails writes with STORE_BUSY, and the kept batch lands once released', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const clock = new FakeClock(T0);
    const { store, file } = await openSqliteStore({ dataDir: tmp.dir, clock, busyTimeoutMs: 5 });
    cleanups.push(() => store.close());
    const errors: StoreError[] = [];
    const queue = createWriteQueue({ store, clock, onError: (e) => errors.push(e), retryBaseMs: 100 });

    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE'); // takes the single write lock of the WAL database
    const list = events(20);
    queue.enqueueEvents(list);
    clock.advance(1000);
    await settle();
    clock.advance(100);
    await settle();
    expect(errors.map((e) => e.code)).toEqual(['STORE_BUSY', 'STORE_BUSY']);
    expect(queue.stats()).toMatchObject({ queued: 20, failed: 2, lastError: { code: 'STORE_BUSY' } });

    other.exec('ROLLBACK');
    other.close();
    clock.advance(200);
    await settle();
    expect(queue.stats()).toMatchObject({ queued: 0, written: 20 });
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual(list);
  });
});
