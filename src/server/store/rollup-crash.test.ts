/**
 * The roll-up killed half way (kill -9 of a real process) and run again writes each hour once:
 * every hour row equals the merge of its minutes, none is missing, none counted twice.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../core/fake-clock.ts';
import { HOUR_MS, floorHour, rollHour } from '../../core/hour-tier.ts';
import { DAY_MS } from './store.ts';
import type { RestaurantMinute } from './store.ts';
import { describeEachEngine, pgAdmin } from './test-helpers/engines.ts';
import { seedFleet } from './test-helpers/fleet-month.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, 'test-helpers', 'rollup-child.ts');
const END = Math.floor(1_764_000_000_000 / DAY_MS) * DAY_MS;
const NOW = END + HOUR_MS;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Runs the child; `killWhen` (polled) kills it from here once true. */
function runChild(spec: string, ticks: number, killWhen?: () => Promise<boolean>): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, spec, String(NOW), String(ticks)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => void (proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL')));
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  if (killWhen) {
    const poll = async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (await killWhen()) proc.kill('SIGKILL');
      else setTimeout(() => void poll(), 10);
    };
    void poll();
  }
  return new Promise((resolve) => proc.once('close', (_code, signal) => resolve({ signal, out })));
}

describeEachEngine('hour roll-up after a crash', (engine) => {
  it('killed half way and run again, writes each hour once', { timeout: 120_000 }, async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const seeded = await place.open({ clock: new FakeClock(NOW) });
    await seedFleet(seeded.store, { restaurants: 6, days: 1, end: END, batchMinutes: 240 });
    const minutes = await seeded.store.readMinutes({ from: END - DAY_MS, to: END });
    await seeded.store.close();
    const total = 6 * 24;

    const positioned = async () => (await pgAdmin(`SELECT 1 FROM "${new URL(place.spec).searchParams.get('schema')}".meta WHERE key = 'tier:rollup'`)).length > 0;
    const crashed = engine.name === 'sqlite' ? await runChild(place.spec, 40) : await runChild(place.spec, 0, positioned);
    expect(crashed.signal).toBe('SIGKILL');

    const { store } = await place.open({ clock: new FakeClock(NOW), tiers: { longWindowMs: 0 } });
    cleanups.push(() => store.close());
    // Half way: the run after the crash rolls some hours, not all — the rest were committed before it.
    const resumed = await store.rollUp(NOW);
    expect(resumed.hours).toBeGreaterThan(0);
    expect(resumed.hours).toBeLessThan(total);
    const hours = await store.readMinutes({ from: END - DAY_MS, to: END });
    expect(hours.length).toBe(total);
    const byHour = new Map<string, RestaurantMinute[]>();
    for (const m of minutes) {
      const key = `${m.rid} ${floorHour(m.minute)}`;
      byHour.set(key, [...(byHour.get(key) ?? []), m]);
    }
    // Each equals the merge of its minutes; read back, it stands for the hour's 60 (spanMinutes).
    for (const h of hours) expect(h).toEqual({ ...rollHour(h.rid, h.minute, byHour.get(`${h.rid} ${h.minute}`)!).row, spanMinutes: 60 });
  });
});
