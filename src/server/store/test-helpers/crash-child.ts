/**
 * The hub's write path in a process of its own, so a test can kill it for real.
 * Usage: node --import tsx crash-child.ts <dataDir | postgres://…> <flushIntervalMs>
 *
 * Every 10 ms it enqueues one lifecycle event and one rollup row, both numbered by `seq`, then
 * prints `<seq> <Date.now()>` — on Linux a write to a pipe is synchronous, so a printed line is
 * proof the item was accepted before that moment. SIGTERM closes cleanly, like the hub does.
 */
import { systemClock } from '../../../core/clock.ts';
import { openChosenStore, parseStoreChoice } from '../open-store.ts';
import { createWriteQueue } from '../write-queue.ts';

const [dataDir, interval] = process.argv.slice(2);
if (!dataDir || !interval) throw new Error('usage: crash-child.ts <dataDir | postgres://…> <flushIntervalMs>');

const clock = systemClock();
const choice = dataDir.startsWith('postgres') ? parseStoreChoice(dataDir) : parseStoreChoice('sqlite');
const { store, recovered } = await openChosenStore(choice, { dataDir, clock });
const queue = createWriteQueue({ store, clock, flushIntervalMs: Number(interval) });
process.stdout.write(`ready ${JSON.stringify(recovered)}\n`);

let seq = 0;
const ticker = setInterval(() => {
  seq++;
  const t = Date.now();
  queue.enqueueEvents([{ type: 'open', gw: 'gw-crash', t, rid: 'r-crash', tid: 'r-crash-t1', conn: `c${seq}`, via: 'subprotocol' }]);
  queue.enqueueMinutes([{ rid: 'r-crash', minute: seq * 60_000, counters: { seq }, gauges: {}, histograms: {} }]);
  process.stdout.write(`${seq} ${t}\n`);
}, 10);

process.once('SIGTERM', () => {
  clearInterval(ticker);
  void queue
    .close()
    .then(() => store.close())
    .then(() => {
      process.stdout.write('closed\n');
      process.exit(0);
    });
});
