/**
 * One Pulse process per data folder. Two hubs writing one SQLite file would double-count every
 * merged minute, and each would arm and clear the other's clean-shutdown marker — so a second
 * `pulse start` on the same folder must stop before it touches the store, not after.
 *
 * The lock is a file holding the owner's pid, created exclusively. A lock whose pid is no longer
 * alive was left by a crash (kill -9) and is taken over. Within one process the lock is shared and
 * counted, so a process may reopen its own store (tests do).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './store-errors.ts';

export const lockFileName = 'pulse.lock';

const held = new Map<string, number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process killed with -9 answers signal 0 until its parent reaps it; a supervisor that
  // restarts at once would find its own dead child holding the lock. A zombie holds nothing.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust signal 0
  }
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface DataLock {
  release(): void;
}

export function acquireDataLock(dataDir: string): DataLock {
  const file = path.resolve(dataDir, lockFileName);
  const count = held.get(file);
  if (count === undefined) take(file, dataDir);
  held.set(file, (count ?? 0) + 1);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      const left = (held.get(file) ?? 1) - 1;
      if (left > 0) {
        held.set(file, left);
        return;
      }
      held.delete(file);
      if (ownerOf(file) === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

function take(file: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError('STORE_IO', `could not create ${file}`, { cause: error });
    }
    const owner = ownerOf(file);
    if (owner !== undefined && owner !== process.pid && alive(owner)) {
      throw new StoreError('STORE_LOCKED', `pid ${owner} holds ${dataDir} — stop it, or give this one another --data folder`);
    }
    // Left by a process that died without releasing it: take it over.
    fs.rmSync(file, { force: true });
  }
  throw new StoreError('STORE_LOCKED', `${file} keeps reappearing; another process is starting on ${dataDir}`);
}
