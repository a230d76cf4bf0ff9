import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { startRetentionJob } from './retention-job.ts';
import { StoreError } from './store-errors.ts';
import { DAY_MS } from './store.ts';
import type { RetentionCounts, StoreLogger } from './store.ts';
import { T0, closeEvent, openEvent } from './test-helpers/fixtures.ts';
import { settle } from './test-helpers/scripted-store.ts';
import { describeEachEngine } from './test-helpers/engines.ts';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function logged() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, obj, msg });
  const logger: StoreLogger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('retention job', () => {
  it('runs after the first delay and then every hour, and logs the counts', async () => {
    const clock = new FakeClock(T0);
    const calls: number[] = [];
    const store = { retention: async (now: number): Promise<RetentionCounts> => (calls.push(now - T0), { minutes: 1, hours: 0, events: 2, terminals: 0 }) };
    const { logger, lines } = logged();
    const job = startRetentionJob({ store, clock, logger, firstRunDelayMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      clock.runNext();
      await settle();
    }
    expect(calls).toEqual([60_000, 60_000 + HOUR, 60_000 + 2 * HOUR]);
    expect(lines.filter((l) => l.level === 'info').map((l) => l.obj)).toContainEqual(expect.objectContaining({ minutes: 1, hours: 0, events: 2, terminals: 0 }));
    job.stop();
    expect(clock.pendingCount).toBe(0);
  });

  it('logs a failing run loudly and tries again at the next hour', async () => {
    const clock = new FakeClock(T0);
    let fail = true;
    const store = {
      retention: async (): Promise<RetentionCounts> => {
        if (fail) throw new StoreError('STORE_IO', 'disk gone');
        return { minutes: 0, hours: 0, events: 0, terminals: 0 };
      },
    };
    const { logger, lines } = logged();
    const errors: string[] = [];
    const job = startRetentionJob({ store, clock, logger, firstRunDelayMs: 0, onError: (e) => errors.push(e.code) });
    clock.runNext();
    await settle();
    expect(errors).toEqual(['STORE_IO']);
    expect(lines.some((l) => l.level === 'error')).toBe(true);
    fail = false;
    clock.runNext();
    await settle();
    expect(clock.now()).toBe(T0 + HOUR);
    expect(errors).toEqual(['STORE_IO']);
    job.stop();
  });

  it('never runs two retentions at once', async () => {
    const clock = new FakeClock(T0);
    let active = 0;
    let most = 0;
    const store = {
      retention: async (): Promise<RetentionCounts> => {
        most = Math.max(most, ++active);
        await settle(1);
        active--;
        return { minutes: 0, hours: 0, events: 0, terminals: 0 };
      },
    };
    const job = startRetentionJob({ store, clock, firstRunDelayMs: 0 });
    clock.runNext();
    await Promise.all([job.runNow(), job.runNow()]);
    expect(most).toBe(1);
    job.stop();
  });
});

describeEachEngine('retention job on a real store', (engine) => {
  it('deletes old events from a real store on schedule', async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const clock = new FakeClock(T0);
    const { store } = await place.open({ clock });
    cleanups.push(() => store.close());
    await store.writeEvents([openEvent(T0 - 8 * DAY_MS, 'r-001-t1'), closeEvent(T0 - DAY_MS, 'r-001-t1')]);
    const runs: RetentionCounts[] = [];
    const job = startRetentionJob({ store, clock, firstRunDelayMs: 1000, onRun: (c) => runs.push(c) });
    cleanups.push(() => job.stop());
    clock.advance(1000);
    // The run is started by the timer; a network store answers after real I/O, not within a few ticks.
    await vi.waitFor(() => expect(runs).toEqual([{ minutes: 0, hours: 0, events: 1, terminals: 0 }]));
    expect(await store.readEvents({ from: 0, to: Infinity })).toEqual([closeEvent(T0 - DAY_MS, 'r-001-t1')]);
  });
});
