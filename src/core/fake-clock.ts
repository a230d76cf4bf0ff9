/**
 * A clock that moves only when told to. Timers fire in time order, each seeing `now()` equal to
 * its due time, so a test can say "advance 15 s" and observe exactly what a real run would.
 */
import type { Clock, TimerHandle } from './clock.ts';

type Pending = { id: number; due: number; order: number; fn: () => void };

export class FakeClock implements Clock {
  private current: number;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private order = 0;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { id, due: this.current + Math.max(0, ms), order: this.order++, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.id);
  }

  /** Timers not yet fired nor cleared: a disposed component must leave none. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending.values()) {
        if (p.due <= target && (!next || p.due < next.due || (p.due === next.due && p.order < next.order))) next = p;
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.current = next.due;
      next.fn();
    }
    this.current = target;
  }

  /** Fire the next due timer, whenever it is; returns false when none is pending. */
  runNext(): boolean {
    let next: Pending | undefined;
    for (const p of this.pending.values()) if (!next || p.due < next.due || (p.due === next.due && p.order < next.order)) next = p;
    if (!next) return false;
    this.advance(next.due - this.current);
    return true;
  }
}
