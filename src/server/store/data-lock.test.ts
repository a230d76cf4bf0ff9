import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockFileName } from './data-lock.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A real other process to stand in for a second Pulse holding the folder. */
function otherProcess() {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, kill: async () => (child.kill('SIGKILL'), exited) };
}

describe('data folder lock', () => {
  it('refuses a second process with STORE_LOCKED before touching the store, and leaves its marker alone', async () => {
    const dir = tempDir();
    const first = await openSqliteStore({ dataDir: dir });
    await first.store.close();
    const other = otherProcess();
    try {
      fs.writeFileSync(path.join(dir, lockFileName), `${other.pid}\n`);
      await expect(openSqliteStore({ dataDir: dir })).rejects.toMatchObject({ code: 'STORE_LOCKED' });
      await expect(openSqliteStore({ dataDir: dir })).rejects.toThrow(String(other.pid));
    } finally {
      await other.kill();
    }
    // The holder died without releasing (kill -9): its lock is stale and taken over, and the
    // refused attempts above did not disturb the previous clean shutdown.
    const again = await openSqliteStore({ dataDir: dir });
    expect(again.recovered.cleanShutdown).toBe(true);
    expect(fs.readFileSync(path.join(dir, lockFileName), 'utf8').trim()).toBe(String(process.pid));
    await again.store.close();
    expect(fs.existsSync(path.join(dir, lockFileName))).toBe(false);
  });

  it('lets one process reopen its own folder and releases only on the last close', async () => {
    const dir = tempDir();
    const a = await openSqliteStore({ dataDir: dir });
    const b = await openSqliteStore({ dataDir: dir });
    await a.store.close();
    expect(fs.existsSync(path.join(dir, lockFileName))).toBe(true);
    await b.store.close();
    expect(fs.existsSync(path.join(dir, lockFileName))).toBe(false);
  });
});

describe('data folder lock after kill -9', () => {
  it('is taken over from a holder that was killed but not yet reaped (a zombie)', async () => {
    const dir = tempDir();
    // A child killed with SIGKILL that Node has not reaped yet: the event loop is blocked below,
    // so libuv cannot handle SIGCHLD until the store has been opened.
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, lockFileName), `${child.pid}\n`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    // Wait until the kernel marks it a zombie (it stays one until libuv reaps it).
    for (let i = 0; i < 200; i++) {
      const stat = fs.existsSync(`/proc/${child.pid}/stat`) ? fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8') : '';
      if (stat.includes(') Z')) break;
      if (!stat) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
    const opened = await openSqliteStore({ dataDir: dir });
    await opened.store.close();
    await exited;
  });
});
