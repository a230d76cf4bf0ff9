/**
 * Keeps the browser ahead of the load it is fed. On a two-core machine the simulator, the hub and
 * the browser compete for the same cores, and the browser's main thread waits for one: a task of
 * 15 ms of CPU measured 60–130 ms of wall time, so every figure measured the simulator as much as
 * the dashboard. The bench therefore starts Chromium first and then lowers its own priority
 * (nice 10), which the hub, gateway and simulator it starts inherit: they still get every core the
 * browser leaves idle, as the fleet's servers would on their own machines. Pinning them to one core
 * instead was tried and was worse: Chromium's own compositor and raster threads then crowded its
 * main thread. `--equal-priority` turns this off.
 */
import { getPriority, setPriority } from 'node:os';

export const systemNice = 10;

/** Lowers this process's priority (children started from now on inherit it); false when not allowed. */
export function yieldToBrowser(): boolean {
  try {
    setPriority(process.pid, Math.max(getPriority(process.pid), systemNice));
    return true;
  } catch {
    return false;
  }
}
