/**
 * Crash semantics on a real process: kill -9 loses at most the last flush interval, and the next
 * open knows the previous run did not shut down cleanly. SIGTERM loses nothing.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { recoveryMessage } from './shutdown-marker.ts';
import { describeEachEngine } from './test-helpers/engines.ts';
import type { StorePlace } from './test-helpers/engines.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, 'test-helpers', 'crash-child.ts');
const INTERVAL = 200;
// Timer lateness and the write itself on a shared 2-core machine; the claim is "one interval".
const SLACK = 150;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

type Child = { proc: ChildProcess; accepted: Map<number, number>; lines: string[]; exited: Promise<number | null>; waitFor: (seq: number) => Promise<void> };

function startChild(place: StorePlace): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, place.spec, String(INTERVAL)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const accepted = new Map<number, number>();
  const lines: string[] = [];
  const waiters: { seq: number; resolve: () => void }[] = [];
  let buffer = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const m = /^(\d+) (\d+)$/.exec(line);
      if (m) accepted.set(Number(m[1]), Number(m[2]));
    }
    for (const w of waiters.splice(0)) (accepted.has(w.seq) ? w.resolve : () => waiters.push(w))();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const waitFor = (seq: number) =>
    Promise.race([
      new Promise<void>((resolve) => (accepted.has(seq) ? resolve() : waiters.push({ seq, resolve }))),
      exited.then(() => Promise.reject(new Error(`child exited before item ${seq}; output: ${lines.join(' | ')}`))),
    ]);
  return { proc, accepted, lines, exited, waitFor };
}

async function storedSeqs(place: StorePlace) {
  const { store, recovered } = await place.open();
  try {
    const events = await store.readEvents({ from: 0, to: Infinity });
    const minutes = await store.readMinutes({ rids: ['r-crash'], from: 0, to: Infinity });
    return {
      recovered,
      events: events.map((e) => Number((e as { conn: string }).conn.slice(1))),
      minutes: minutes.map((m) => m.counters.seq ?? -1),
    };
  } finally {
    await store.close();
  }
}

const prefix = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describeEachEngine('crash semantics', (engine) => {
  it('kill -9 loses at most the last flush interval, and the next open says the shutdown was not clean', async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const child = startChild(place);
    await child.waitFor(120); // about 1.2 s of writes: several flushes
    const killedAt = Date.now();
    child.proc.kill('SIGKILL');
    await child.exited;
    expect(child.proc.signalCode).toBe('SIGKILL');

    const { recovered, events, minutes } = await storedSeqs(place);
    expect(recovered.cleanShutdown).toBe(false);
    expect(recovered.freshFile).toBe(false);
    expect(recovered.lastWriteAt).toBeGreaterThanOrEqual(killedAt - INTERVAL - SLACK);
    expect(recoveryMessage(recovered, INTERVAL)).toMatch(/^previous run did not shut down cleanly; data after \d\d:\d\d:\d\d/);

    // What was stored is exactly the first N accepted items: no hole, nothing invented.
    expect(events).toEqual(prefix(events.length));
    expect(minutes).toEqual(prefix(minutes.length));
    const mustHave = [...child.accepted].filter(([, at]) => at <= killedAt - INTERVAL - SLACK).map(([seq]) => seq);
    expect(mustHave.length).toBeGreaterThan(50);
    expect(events.length).toBeGreaterThanOrEqual(Math.max(...mustHave));
    expect(minutes.length).toBeGreaterThanOrEqual(Math.max(...mustHave));
    expect(events.length).toBeLessThanOrEqual(child.accepted.size);
  });

  it('SIGTERM closes cleanly: nothing accepted is lost and the next open says so', async () => {
    const place = await engine.newPlace();
    cleanups.push(place.remove);
    const child = startChild(place);
    await child.waitFor(30);
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.lines.at(-1)).toBe('closed');

    const { recovered, events, minutes } = await storedSeqs(place);
    expect(recovered.cleanShutdown).toBe(true);
    expect(events).toEqual(prefix(child.accepted.size));
    expect(minutes).toEqual(prefix(child.accepted.size));
  });
});
