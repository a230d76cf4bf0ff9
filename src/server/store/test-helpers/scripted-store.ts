/**
 * A store for write-queue tests: keeps what it was given, in order, and fails on command with the
 * error a real driver would give. The real SQLite store is exercised by the integration tests.
 */
import type { FakeClock } from '../../../core/fake-clock.ts';
import { StoreError } from '../store-errors.ts';
import type { StoreErrorCode } from '../store-errors.ts';
import type { LifecycleEvent, RestaurantMinute, Store } from '../store.ts';

export class ScriptedStore implements Pick<Store, 'writeMinutes' | 'writeEvents'> {
  readonly minutes: RestaurantMinute[] = [];
  readonly events: LifecycleEvent[] = [];
  /** Sizes of the batches that were written, in call order. */
  readonly batches: { kind: 'minutes' | 'events'; size: number }[] = [];
  attempts = 0;
  /** While set, every write fails with this code. */
  failWith: StoreErrorCode | undefined;
  /**
   * When set, each write moves this clock by `msPerItem` per item, as a slow store would take:
   * while holding the caller (a synchronous driver), or with `waiting` after returning its promise
   * (a network store waiting for its server).
   */
  cost: { clock: FakeClock; msPerItem: number; waiting?: boolean } | undefined;

  private check(size: number): void {
    this.attempts++;
    if (this.cost) this.cost.clock.advance(this.cost.msPerItem * size);
    if (this.failWith) throw new StoreError(this.failWith, 'scripted failure');
  }

  async writeMinutes(rows: readonly RestaurantMinute[]): Promise<void> {
    if (this.cost?.waiting) await Promise.resolve();
    this.check(rows.length);
    this.minutes.push(...rows);
    this.batches.push({ kind: 'minutes', size: rows.length });
  }

  async writeEvents(events: readonly LifecycleEvent[]): Promise<void> {
    if (this.cost?.waiting) await Promise.resolve();
    this.check(events.length);
    this.events.push(...events);
    this.batches.push({ kind: 'events', size: events.length });
  }
}

/** Lets every pending promise callback and one round of the event loop run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
