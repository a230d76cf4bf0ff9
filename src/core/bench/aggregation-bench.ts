/**
 * Micro-benchmark of the probe aggregator: probe events folded into frames, per second of one core.
 *
 *   npx tsx src/core/bench/aggregation-bench.ts [events a run = 5000000] [events per second of event time = 1000000]
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
import { seededRandom } from '../clock.ts';
import type { ProbeEvent } from '../../protocol/probe-events.ts';
import { createAggregator } from '../probe-aggregator.ts';

// Core code sees no Node types; the bench reads argv and CPU time through this narrow view.
const node = (globalThis as { process?: { argv: string[]; cpuUsage(): { user: number; system: number } } }).process;
const cpuMicros = () => {
  const u = node?.cpuUsage();
  return u ? u.user + u.system : performance.now() * 1000;
};
const TOTAL = Number(node?.argv[2] ?? 5_000_000);
const POOL = 500_000;
const RESTAURANTS = 2_000;
const CONNECTIONS = 20_000;
const EVENTS_PER_SECOND = Number(node?.argv[3] ?? 1_000_000);
const T0 = 1_700_000_000_000;

function buildEvents(): ProbeEvent[] {
  const random = seededRandom(42);
  const gw = 'gw-bench';
  const who = Array.from({ length: CONNECTIONS }, (_, i) => ({ rid: `r-${String(i % RESTAURANTS).padStart(4, '0')}`, tid: `t-${i}`, conn: `c-${i}` }));
  // Opens name the heartbeat they ask for, as the gateway's do: pings are counted per interval.
  const events: ProbeEvent[] = who.map((w) => ({ type: 'open', gw, t: T0, ...w, via: 'subprotocol', heartbeatIntervalMs: 15_000, heartbeatGraceMs: 5_000 }));
  while (events.length < POOL) {
    const t = T0 + Math.floor((events.length / EVENTS_PER_SECOND) * 1000);
    const w = who[Math.floor(random() * CONNECTIONS)]!;
    const x = random();
    if (x < 0.6) {
      events.push({ type: 'heartbeat', gw, t, ...w, onTime: x > 0.01, gapMs: 15_000, rtt: 5 + random() * 200 });
      events.push({ type: 'traffic', gw, t, ...w, dir: 'in', bytes: 60 });
      events.push({ type: 'traffic', gw, t, ...w, dir: 'out', bytes: 40 });
    } else if (x < 0.9995) {
      events.push({ type: 'traffic', gw, t, ...w, dir: 'out', bytes: 400 });
      events.push({ type: 'traffic', gw, t, ...w, dir: 'in', bytes: 50 });
      events.push({ type: 'ack', gw, t, ...w, seq: 1, latencyMs: 2 + random() * 50 });
    } else {
      events.push({ type: 'close', gw, t, ...w, code: 1006, cause: 'abnormal_close', reason: '', byServer: false, durationMs: 60_000 });
      events.push({ type: 'open', gw, t, ...w, via: 'subprotocol' });
    }
  }
  return events;
}

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

const events = buildEvents();
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
    `(one core; ${total} events a run at ${EVENTS_PER_SECOND.toLocaleString('en-US')}/s of event time over ${RESTAURANTS} restaurants, flush + encode each second)`,
);
