/**
 * The hour roll-up in a process of its own, killed for real half way: usage
 * `node --import tsx rollup-child.ts <dataDir | postgres://…> <now> <ticks>`. It rolls one
 * restaurant-hour per batch and SIGKILLs itself after `ticks` turns of the event loop — SQLite's
 * roll-up yields between batches, so that is some batches in. With PostgreSQL the loop turns while
 * queries are out, so `ticks` 0 leaves the kill to the test, which watches the position and kills
 * the child once some batches are committed (possibly in the middle of the next one's transaction).
 */
import { systemClock } from '../../../core/clock.ts';
import { openPostgresStore } from '../postgres/pg-store.ts';
import { openSqliteStore } from '../sqlite-store.ts';

const [spec, now, ticks] = process.argv.slice(2);
if (!spec || !now || !ticks) throw new Error('usage: rollup-child.ts <dataDir | postgres://…> <now> <ticks>');

const tiers = { batchRestaurants: 1 };
const clock = systemClock();
const { store } = spec.startsWith('postgres')
  ? await openPostgresStore({ url: spec, clock, tiers })
  : await openSqliteStore({ dataDir: spec, clock, tiers });

let left = Number(ticks);
const tick = () => {
  if (--left <= 0) process.kill(process.pid, 'SIGKILL');
  else setImmediate(tick);
};
if (left > 0) setImmediate(tick);
process.stdout.write('rolling\n');
await store.rollUp(Number(now));
process.stdout.write('finished before the kill\n');
process.exit(0);
