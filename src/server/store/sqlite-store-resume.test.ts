/**
 * What the store keeps for a hub that resumes after a restart (src/server/hub/bus-checkpoint.ts):
 * checkpoints written atomically with the batch they describe, each terminal's last close, and the
 * connections the stored events leave open.
 */
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { terminalKey } from '../../core/terminal-key.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import type { MergeHistogram } from './store.ts';
import { describeEachEngine } from './test-helpers/engines.ts';
import type { StoreEngine, StorePlace } from './test-helpers/engines.ts';
import { MINUTE, T0, closeEvent, minuteRow, openEvent } from './test-helpers/fixtures.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Opens the store in `place` (a new one when not given), closed after the test unless the test closed it. */
async function open(engine: StoreEngine, given?: StorePlace, mergeHistogram?: MergeHistogram) {
  const place = given ?? (await engine.newPlace());
  if (!given) cleanups.push(place.remove);
  const opened = await place.open({ clock: new FakeClock(T0), ...(mergeHistogram ? { mergeHistogram } : {}) });
  let closed = false;
  cleanups.push(() => (closed ? undefined : opened.store.close()));
  return {
    ...opened,
    place,
    close: async () => {
      closed = true;
      await opened.store.close();
    },
  };
}

const gw2 = (e: LifecycleEvent): LifecycleEvent => ({ ...e, gw: 'gw-2' });

describeEachEngine('checkpoints', (engine) => {
  it('are written with their batch, kept across a reopen, and independent by name', async () => {
    const a = await open(engine);
    expect(await a.store.readCheckpoint('bus:s')).toBeUndefined();
    await a.store.writeEvents([openEvent(T0, 'r-001-t1')], { name: 'bus:s', value: 'one' });
    await a.store.writeMinutes([minuteRow('r-001', T0)], { name: 'bus:s', value: 'two' });
    await a.store.writeCheckpoint({ name: 'bus:other', value: 'x' });
    // A batch with nothing in it still moves the checkpoint (an idle fleet's frames are positions too).
    await a.store.writeEvents([], { name: 'bus:s', value: 'three' });
    expect(await a.store.readCheckpoint('bus:s')).toBe('three');
    await a.close();
    const b = await open(engine, a.place);
    expect([await b.store.readCheckpoint('bus:s'), await b.store.readCheckpoint('bus:other')]).toEqual(['three', 'x']);
  });

  it('is not moved by a batch that failed: the checkpoint and the rows commit or roll back together', async () => {
    const failing = () => {
      throw new Error('merge failed');
    };
    const { store } = await open(engine, undefined, failing);
    await store.writeMinutes([minuteRow('r-001', T0, { counters: { opens: 1 }, histograms: { rtt: 'a' } })], { name: 'bus:s', value: 'before' });
    // The second write of the minute merges histograms, which throws inside the transaction.
    await expect(store.writeMinutes([minuteRow('r-001', T0, { counters: { opens: 1 }, histograms: { rtt: 'b' } })], { name: 'bus:s', value: 'after' })).rejects.toThrow();
    expect(await store.readCheckpoint('bus:s')).toBe('before');
    expect((await store.readMinutes({ from: T0, to: T0 + MINUTE }))[0]?.counters).toEqual({ opens: 1 });
  });
  it('take effect in call order: a checkpoint called after an unawaited batch wins, a read called after a write sees it', async () => {
    const { store } = await open(engine);
    const rows = Array.from({ length: 200 }, (_, i) => minuteRow(`r-${String(i).padStart(3, '0')}`, T0, { counters: { n: i } }));
    // Neither call is awaited before the next is made, as the hub's idle checkpoint may follow a batch.
    const batch = store.writeMinutes(rows, { name: 'bus:s', value: 'batch' });
    const alone = store.writeCheckpoint({ name: 'bus:s', value: 'after the batch' });
    const read = store.readMinutes({ from: T0, to: T0 + MINUTE });
    const order: string[] = [];
    await Promise.all([batch.then(() => order.push('batch')), alone.then(() => order.push('alone')), read.then(() => order.push('read'))]);
    expect(order).toEqual(['batch', 'alone', 'read']);
    expect((await read).length).toBe(200);
    expect(await store.readCheckpoint('bus:s')).toBe('after the batch');
  });
});

describeEachEngine('what a restarted hub seeds from', (engine) => {
  it('knows each terminal\'s latest close, whatever order and batches the closes came in', async () => {
    const { store } = await open(engine);
    await store.writeEvents([openEvent(T0, 'r-001-t1'), closeEvent(T0 + 500, 'r-001-t1'), closeEvent(T0 + 200, 'r-001-t1', 1000, 'other')]);
    await store.writeEvents([closeEvent(T0 + 100, 'r-001-t1'), openEvent(T0 + 900, 'r-001-t1'), openEvent(T0, 'r-002-t1')]);
    const known = await store.knownTerminals(0);
    expect(known.get(terminalKey('r-001', 'r-001-t1'))).toEqual({ rid: 'r-001', tid: 'r-001-t1', lastSeen: T0 + 900, lastClose: T0 + 500 });
    expect(known.get(terminalKey('r-002', 'r-002-t1'))).toEqual({ rid: 'r-002', tid: 'r-002-t1', lastSeen: T0 });
  });

  it('lists the connections the stored events leave open, by connection and gateway, oldest first', async () => {
    const { store } = await open(engine);
    await store.writeEvents([
      openEvent(T0, 'r-001-t1', 'a'),
      closeEvent(T0 + 1_000, 'r-001-t1', 1006, 'a'), // closed
      openEvent(T0 + 2_000, 'r-001-t1', 'b'), // open
      openEvent(T0 + 500, 'r-002-t1', 'a'), // open: the close below is another gateway's connection "a"
      gw2(closeEvent(T0 + 600, 'r-002-t1', 1006, 'a')),
      // A silent drop: d opened while c still looked open; c timed out (4008) after d opened.
      openEvent(T0 + 3_000, 'r-003-t1', 'c'),
      openEvent(T0 + 40_000, 'r-003-t1', 'd'),
      closeEvent(T0 + 45_000, 'r-003-t1', 4008, 'c'),
      openEvent(T0 - 8 * 86_400_000, 'r-004-t1', 'old'), // before `since`
    ]);
    const open1 = await store.openConnections(T0 - 7 * 86_400_000);
    expect(open1.map((e) => [e.tid, e.conn, e.gw])).toEqual([
      ['r-002-t1', 'a', 'gw-1'],
      ['r-001-t1', 'b', 'gw-1'],
      ['r-003-t1', 'd', 'gw-1'],
    ]);
    expect(open1[0]).toEqual(openEvent(T0 + 500, 'r-002-t1', 'a'));
  });

  it('does not dig further back than 5 minutes before a terminal\'s last close', async () => {
    const { store } = await open(engine);
    // A gateway died with "x" open (no close ever came); the terminal came back and closed since.
    await store.writeEvents([openEvent(T0, 'r-001-t1', 'x'), openEvent(T0 + 10 * MINUTE, 'r-001-t1', 'y'), closeEvent(T0 + 11 * MINUTE, 'r-001-t1', 1000, 'y')]);
    expect(await store.openConnections(0)).toEqual([]);
    // Within 5 minutes of that close, an overlapping connection is still found.
    await store.writeEvents([openEvent(T0 + 8 * MINUTE, 'r-001-t1', 'z')]);
    expect((await store.openConnections(0)).map((e) => e.conn)).toEqual(['z']);
  });
});
