/**
 * What the store keeps for a hub that resumes after a restart (src/server/hub/bus-checkpoint.ts):
 * checkpoints written atomically with the batch they describe, each terminal's last close, and the
 * connections the stored events leave open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import type { LifecycleEvent } from '../../protocol/telemetry.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { MINUTE, T0, closeEvent, minuteRow, openEvent } from './test-helpers/fixtures.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function open(dir?: string, mergeHistogram?: (a: string, b: string) => string) {
  const tmp = dir ? undefined : makeTempDir();
  if (tmp) cleanups.push(tmp.remove);
  const dataDir = dir ?? tmp!.dir;
  const opened = await openSqliteStore({ dataDir, clock: new FakeClock(T0), ...(mergeHistogram ? { mergeHistogram } : {}) });
  let closed = false;
  cleanups.push(() => (closed ? undefined : opened.store.close()));
  return {
    ...opened,
    dataDir,
    close: async () => {
      closed = true;
      await opened.store.close();
    },
  };
}

const gw2 = (e: LifecycleEvent): LifecycleEvent => ({ ...e, gw: 'gw-2' });

describe('checkpoints', () => {
  it('are written with their batch, kept across a reopen, and independent by name', async () => {
    const a = await open();
    expect(await a.store.readCheckpoint('bus:s')).toBeUndefined();
    await a.store.writeEvents([openEvent(T0, 'r-001-t1')], { name: 'bus:s', value: 'one' });
    await a.store.writeMinutes([minuteRow('r-001', T0)], { name: 'bus:s', value: 'two' });
    await a.store.writeCheckpoint({ name: 'bus:other', value: 'x' });
    // A batch with nothing in it still moves the checkpoint (an idle fleet's frames are positions too).
    await a.store.writeEvents([], { name: 'bus:s', value: 'three' });
    expect(await a.store.readCheckpoint('bus:s')).toBe('three');
    await a.close();
    const b = await open(a.dataDir);
    expect([await b.store.readCheckpoint('bus:s'), await b.store.readCheckpoint('bus:other')]).toEqual(['three', 'x']);
  });

  it('is not moved by a batch that failed: the checkpoint and the rows commit or roll back together', async () => {
    const failing = () => {
      throw new Error('merge failed');
    };
    const { store } = await open(undefined, failing);
    await store.writeMinutes([minuteRow('r-001', T0, { counters: { opens: 1 }, histograms: { rtt: 'a' } })], { name: 'bus:s', value: 'before' });
    // The second write of the minute merges histograms, which throws inside the transaction.
    await expect(store.writeMinutes([minuteRow('r-001', T0, { counters: { opens: 1 }, histograms: { rtt: 'b' } })], { name: 'bus:s', value: 'after' })).rejects.toThrow();
    expect(await store.readCheckpoint('bus:s')).toBe('before');
    expect((await store.readMinutes({ from: T0, to: T0 + MINUTE }))[0]?.counters).toEqual({ opens: 1 });
  });
});

describe('what a restarted hub seeds from', () => {
  it('knows each terminal\'s latest close, whatever order and batches the closes came in', async () => {
    const { store } = await open();
    await store.writeEvents([openEvent(T0, 'r-001-t1'), closeEvent(T0 + 500, 'r-001-t1'), closeEvent(T0 + 200, 'r-001-t1', 1000, 'other')]);
    await store.writeEvents([closeEvent(T0 + 100, 'r-001-t1'), openEvent(T0 + 900, 'r-001-t1'), openEvent(T0, 'r-002-t1')]);
    const known = await store.knownTerminals(0);
    expect(known.get('r-001-t1')).toEqual({ rid: 'r-001', lastSeen: T0 + 900, lastClose: T0 + 500 });
    expect(known.get('r-002-t1')).toEqual({ rid: 'r-002', lastSeen: T0 });
  });

  it('lists the connections the stored events leave open, by connection and gateway, oldest first', async () => {
    const { store } = await open();
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
    const { store } = await open();
    // A gateway died with "x" open (no close ever came); the terminal came back and closed since.
    await store.writeEvents([openEvent(T0, 'r-001-t1', 'x'), openEvent(T0 + 10 * MINUTE, 'r-001-t1', 'y'), closeEvent(T0 + 11 * MINUTE, 'r-001-t1', 1000, 'y')]);
    expect(await store.openConnections(0)).toEqual([]);
    // Within 5 minutes of that close, an overlapping connection is still found.
    await store.writeEvents([openEvent(T0 + 8 * MINUTE, 'r-001-t1', 'z')]);
    expect((await store.openConnections(0)).map((e) => e.conn)).toEqual(['z']);
  });
});
