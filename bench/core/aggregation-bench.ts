/**
 * Micro-benchmark of the probe aggregator: probe events folded into frames, per second of one core.
 *
 *   npx tsx bench/core/aggregation-bench.ts [events a run = 5000000] [events per second of event time = 1000000]
 *
 * The events are built before timing (the probe creates them anyway) and mixed the way a gateway
 * sees them: per heartbeat one `heartbeat` and two `traffic` (ping in, pong out); per order update
 * a `traffic` out, then a `traffic` in and an `ack`; a few opens and closes. 20,000 connections over
 * 2,000 restaurants, events stamped at the target rate (1,000,000 a second of event time, so every
 * restaurant-second is sealed and its histograms encoded once per 1,000,000 events, as at that rate
 * in production), one flush per second of event time.
 * Prints events per CPU-second (user + system time of this process, so other load on the machine
 * does not count against it) of each run and their median over 5 runs.
 */
import type { ProbeEvent } from '../../src/protocol/probe-events.ts';
import { createAggregator } from '../../src/core/probe-aggregator.ts';
import { buildProbeEventPool, poolRestaurants } from '../shared/probe-event-pool.ts';

// A bench runs in Node (bench/ sits outside core's isomorphic rule): argv and CPU time from the process.
const node = process;
const cpuMicros = () => {
  const u = node.cpuUsage();
  return u.user + u.system;
};
const TOTAL = Number(node.argv[2] ?? 5_000_000);
const POOL = 500_000;
const EVENTS_PER_SECOND = Number(node.argv[3] ?? 1_000_000);
const T0 = 1_700_000_000_000;

/**
 * One run replays the pool `passes` times, shifting time forward each pass; rewriting `t` in place
 * keeps the live heap small, as it is in a gateway, where each event dies young after `add`.
 */
function run(pool: readonly ProbeEvent[], passes: number): number {
  const agg = createAggregator({ gatewayId: 'gw-bench', run: T0 });
  const span = Math.ceil((pool.length / EVENTS_PER_SECOND) * 1000) + 1000;
  const base = pool.map((e) => e.t);
  let frames = 0;
  let nextFlush = T0 + 1000;
  const start = cpuMicros();
  for (let pass = 0; pass < passes; pass++) {
    const offset = pass * span;
    for (let i = 0; i < pool.length; i++) {
      const e = pool[i]!;
      const t = base[i]! + offset;
      e.t = t;
      if (t >= nextFlush) {
        frames += agg.flush(nextFlush).seconds.length > 0 ? 1 : 0;
        nextFlush = Math.floor(t / 1000) * 1000 + 1000;
      }
      agg.add(e);
    }
  }
  frames += agg.flush(nextFlush).seconds.length > 0 ? 1 : 0;
  // CPU time of this process, not wall time: the machine is shared, and "per core" means per CPU-second.
  const seconds = (cpuMicros() - start) / 1e6;
  pool.forEach((e, i) => (e.t = base[i]!));
  if (frames === 0) throw new Error('no frame produced');
  return (pool.length * passes) / seconds;
}

// Opens name the heartbeat they ask for, as the gateway's do: pings are counted per interval.
const events = buildProbeEventPool(POOL, T0, EVENTS_PER_SECOND, { heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 });
const passes = Math.max(1, Math.round(TOTAL / events.length));
const rates: number[] = [];
run(events, 1); // warm-up: JIT and histogram sizes
for (let i = 0; i < 5; i++) {
  const rate = run(events, passes);
  rates.push(rate);
  console.log(`run ${i + 1}: ${Math.round(rate).toLocaleString('en-US')} events per CPU-second`);
}
rates.sort((a, b) => a - b);
const total = (events.length * passes).toLocaleString('en-US');
console.log(
  `median of 5: ${Math.round(rates[2]!).toLocaleString('en-US')} events per CPU-second through aggregation ` +
    `(one core; ${total} events a run at ${EVENTS_PER_SECOND.toLocaleString('en-US')}/s of event time over ${poolRestaurants} restaurants, flush + encode each second)`,
);
