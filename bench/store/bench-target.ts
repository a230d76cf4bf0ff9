/**
 * The store a bench writes to, engine by engine: a fresh SQLite folder or a fresh PostgreSQL
 * schema (`pulse_bench_<random>`, dropped afterwards), with what each can tell about its cost —
 * bytes on disk, and for PostgreSQL the CPU its server processes spent for us (they run outside
 * this process, so process.cpuUsage() does not see them).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.ts';
import { openPostgresStore } from '../../src/server/store/postgres/pg-store.ts';
import { openSqliteStore, storeFileName } from '../../src/server/store/sqlite-store.ts';
import type { Store } from '../../src/server/store/store.ts';

export interface BenchTarget {
  engine: 'sqlite' | 'postgres';
  store: Store;
  /** Server-side CPU (ms) spent since open, where the engine runs outside this process. */
  serverCpuMs(): Promise<number | undefined>;
  /** Closes the store, measures what it left on disk, removes it unless kept; returns bytes. */
  finish(): Promise<number>;
}

const clockTicks = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU in 1/100 s

function procCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

export async function openBenchTarget(spec: string, clock: Clock, keep?: string): Promise<BenchTarget> {
  if (spec === 'sqlite') {
    const dataDir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-store-bench-'));
    const { store } = await openSqliteStore({ dataDir, clock });
    return {
      engine: 'sqlite',
      store,
      serverCpuMs: async () => undefined,
      async finish() {
        await store.close();
        const bytes = ['', '-wal'].reduce((sum, suffix) => sum + (fs.statSync(path.join(dataDir, storeFileName + suffix), { throwIfNoEntry: false })?.size ?? 0), 0);
        if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
        return bytes;
      },
    };
  }
  const schema = keep ?? `pulse_bench_${crypto.randomBytes(4).toString('hex')}`;
  const applicationName = `pulse-bench-${process.pid}`;
  const { store } = await openPostgresStore({ url: spec, schema, clock, applicationName });
  const admin = new pg.Client({ connectionString: spec.replace(/[?&]schema=[^&]*/, '') });
  await admin.connect();
  // Backends come and go with the pool; each one's CPU is counted from when it is first seen.
  const base = new Map<number, number>();
  const backends = async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows.map((r) => r.pid);
  for (const pid of await backends()) base.set(pid, procCpuMs(pid) ?? 0);
  return {
    engine: 'postgres',
    store,
    async serverCpuMs() {
      let total = 0;
      for (const pid of await backends()) total += (procCpuMs(pid) ?? 0) - (base.get(pid) ?? 0);
      return total;
    },
    async finish() {
      await store.close();
      const { rows } = await admin.query<{ bytes: string }>(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [schema],
      );
      if (!keep) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      return Number(rows[0]!.bytes);
    },
  };
}
