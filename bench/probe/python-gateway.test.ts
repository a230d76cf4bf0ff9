/** Reading a process's CPU and RSS from /proc, checked against this process's own view of itself. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuOfStat, rssOfStatus } from './python-gateway.ts';

describe.skipIf(process.platform !== 'linux')('/proc readings of the FastAPI gateway', () => {
  it('utime and stime after a `(comm)` that holds spaces and parentheses', () => {
    const stat = '4242 (python3 (uv) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100 200 300';
    expect(cpuOfStat(stat, 100)).toEqual({ userUs: 2_500_000, systemUs: 750_000 });
  });

  it('agree with process.cpuUsage() and process.memoryUsage() for this process', () => {
    let spin = 0;
    for (let i = 0; i < 3e7; i++) spin += i; // some CPU to read
    expect(spin).toBeGreaterThan(0);
    const mine = process.cpuUsage();
    const read = cpuOfStat(readFileSync('/proc/self/stat', 'utf8'), 100);
    // /proc counts whole ticks (10 ms) and this process keeps running between the two readings.
    expect(Math.abs(read.userUs + read.systemUs - (mine.user + mine.system))).toBeLessThan(100_000);
    const rss = rssOfStatus(readFileSync('/proc/self/status', 'utf8'));
    expect(Math.abs(rss - process.memoryUsage().rss) / rss).toBeLessThan(0.05);
  });
});
