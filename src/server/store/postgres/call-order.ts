/**
 * The order the Store interface promises (store.ts, "Calls take effect in call order"), for a
 * store whose calls really are asynchronous. SQLite gives it for free: each call runs to the end
 * before the next starts. Over a connection pool two calls could overtake each other — a
 * standalone checkpoint committing before the batch it follows, or a history read that started
 * before a batch resolving after the hub already forgot the batch's rows (hub/unwritten-minutes.ts)
 * and so showing neither.
 *
 * So: a write starts only when every call made before it has finished; a read starts once the
 * writes made before it have finished, and reads between two writes run side by side. Each call
 * therefore sees exactly the writes called before it, and resolves before any later write starts.
 */
export interface CallOrder {
  read<T>(fn: () => Promise<T>): Promise<T>;
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves when everything called so far has finished (never rejects). */
  idle(): Promise<void>;
}

export function createCallOrder(): CallOrder {
  // Settled-only promises, so one failed call never stops the calls queued behind it.
  let lastWrite: Promise<unknown> = Promise.resolve();
  let readsSinceWrite: Promise<unknown>[] = [];
  const settled = (p: Promise<unknown>) => p.then(
    () => undefined,
    () => undefined,
  );

  return {
    read(fn) {
      const run = lastWrite.then(fn);
      readsSinceWrite.push(settled(run));
      return run;
    },
    write(fn) {
      const before = Promise.all([lastWrite, ...readsSinceWrite]);
      const run = before.then(fn);
      lastWrite = settled(run);
      readsSinceWrite = [];
      return run;
    },
    async idle() {
      await Promise.all([lastWrite, ...readsSinceWrite]);
    },
  };
}
