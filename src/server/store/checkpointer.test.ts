import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { T0, openEvent } from './test-helpers/fixtures.ts';
import { makeTempDir } from './test-helpers/temp-dir.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const size = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('checkpoints off the write path', () => {
  it('the writer never checkpoints; the worker moves the WAL into the database file on its timer', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const clock = new FakeClock(T0);
    const { store, file } = await openSqliteStore({ dataDir: tmp.dir, clock, checkpointIntervalMs: 5_000 });
    cleanups.push(() => store.close());
    const before = size(file);
    // ~3 MB of events: well past SQLite's 1,000-page automatic checkpoint, had it been left on.
    for (let batch = 0; batch < 20; batch++) {
      await store.writeEvents(Array.from({ length: 500 }, (_, i) => ({ ...openEvent(T0 + batch * 500 + i, `r-001-t${i}`), conn: 'x'.repeat(200) })));
    }
    expect(size(`${file}-wal`)).toBeGreaterThan(3_000_000);
    expect(size(file)).toBe(before);

    clock.advance(5_000);
    expect(await until(() => size(file) > 3_000_000, 10_000)).toBe(true);
    expect(await store.readEvents({ from: T0, to: T0 + 10_000 })).toHaveLength(10_000);
  });

  it('close() stops the worker and leaves no WAL behind', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const { store, file } = await openSqliteStore({ dataDir: tmp.dir, checkpointIntervalMs: 10 });
    await store.writeEvents([openEvent(T0, 'r-001-t1')]);
    await store.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = await openSqliteStore({ dataDir: tmp.dir });
    expect(await again.store.readEvents({ from: 0, to: Infinity })).toHaveLength(1);
    await again.store.close();
  });
});
