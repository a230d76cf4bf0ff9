/**
 * The FastAPI gateway of examples/fastapi-gateway as a system under test for the probe bench: the
 * same child process the tests run (src/server/test-helpers/fastapi-gateway.ts), with or without
 * its Python probe, read from outside through /proc — a Python process answers no IPC samples.
 *
 * CPU is utime + stime of /proc/<pid>/stat (every thread, as process.cpuUsage() is for the Node
 * children), RSS is VmRSS of /proc/<pid>/status. The sample has the ChildHandle's shape, so the
 * run loop and the gateway bench's memory readings take either kind of gateway; `gc` is ignored
 * (CPython frees by reference count as it goes) and the V8 fields are 0.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ProcessSample } from '../shared/bench-ipc.ts';
import { startFastApiGateway, type FastApiGateway } from '../../src/server/test-helpers/fastapi-gateway.ts';

/** Clock ticks per second of /proc's CPU times (100 on every Linux this runs on; asked once). */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime and stime of a process, µs. Fields 14 and 15 of /proc/<pid>/stat, counted after the `(comm)`, which may hold spaces. */
export function cpuOfStat(stat: string, ticks: number): { userUs: number; systemUs: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14 → fields[11], stime field 15 → fields[12].
  const us = (f: string | undefined) => (Number(f) / ticks) * 1e6;
  return { userUs: us(fields[11]), systemUs: us(fields[12]) };
}

export function rssOfStatus(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface PythonGateway {
  readonly url: string;
  readonly pid: number;
  sample(gc?: boolean): Promise<ProcessSample>;
  stop(): Promise<void>;
}

export async function startPythonGateway(o: { secret: string; heartbeatIntervalMs: number; probe?: { hub: string; token: string; gateway: string } }): Promise<PythonGateway> {
  const gw: FastApiGateway = await startFastApiGateway({ secret: o.secret, heartbeatIntervalMs: o.heartbeatIntervalMs, ...(o.probe ? { probe: o.probe } : {}) });
  const ticks = clockTicks();
  let id = 0;
  return {
    url: gw.url,
    pid: gw.pid,
    sample: async () => {
      const cpu = cpuOfStat(readFileSync(`/proc/${gw.pid}/stat`, 'utf8'), ticks);
      const rss = rssOfStatus(readFileSync(`/proc/${gw.pid}/status`, 'utf8'));
      // Connections are not known from outside: the terminals' count stands for them.
      return { type: 'sample', id: ++id, ...cpu, rss, heapUsed: 0, heapTotal: 0, external: 0, youngGen: 0, oldSpace: 0, oldSpaceUsed: 0, connections: -1 };
    },
    stop: () => gw.stop(),
  };
}
