/**
 * How long a 24 h terminal timeline takes to build and diagnose, the core half of the issue's
 * "5,000 lifecycle events render in under 1 s" (the target for this part: well under 100 ms).
 *
 *   npx tsx bench/core/timeline-bench.ts [lifecycle events = 5000] [runs = 21]
 *
 * The terminal flaps all day: 2,500 connections (open + close, a few with a limit hit and a few
 * refused tokens in their place), heartbeats every 15 s while connected with RTT, an ack a minute.
 * Events are delivered shuffled with 5 % repeats, as the store or a live feed may. Prints each
 * figure's median over the runs (the first, a warm-up, is dropped).
 */
import { seededRandom } from '../../src/core/clock.ts';
import { buildTimeline } from '../../src/core/timeline/build-timeline.ts';
import { diagnose } from '../../src/core/timeline/diagnose.ts';
import { toCsv } from '../../src/core/timeline/timeline-export.ts';
import type { TimelineEvent } from '../../src/core/timeline/timeline-types.ts';

const argv = process.argv;
const LIFECYCLE = Number(argv[2] ?? 5000);
const RUNS = Number(argv[3] ?? 21);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 26, 0, 0, 0);

function dayOfEvents(): TimelineEvent[] {
  const random = seededRandom(11);
  const events: TimelineEvent[] = [];
  const who = { gw: 'gw-bench', rid: 'r-001', tid: 'r-001-t1' };
  const slot = DAY / (LIFECYCLE / 2);
  let lifecycle = 0;
  for (let i = 0; lifecycle < LIFECYCLE; i++) {
    const start = T0 + i * slot + random() * 3000;
    const conn = `c${i}`;
    if (random() < 0.05) {
      events.push({ type: 'auth_fail', ...who, t: start, reason: 'expired' }, { type: 'auth_fail', ...who, t: start + 500, reason: 'expired' });
      lifecycle += 2;
      continue;
    }
    const up = slot * (0.5 + random() * 0.4);
    events.push({ type: 'open', ...who, t: start, conn, via: 'subprotocol' });
    for (let b = start + 15_000 + random() * 50; b < start + up; b += 15_000 + random() * 300) {
      events.push({ type: 'heartbeat', gw: who.gw, t: b, conn, onTime: random() > 0.02, rtt: 20 + random() * 80 });
    }
    for (let a = start + 30_000; a < start + up; a += 60_000) events.push({ type: 'ack', gw: who.gw, t: a, conn, seq: Math.floor(a), latencyMs: 40 + random() * 200 });
    const code = [1006, 1006, 4008, 1000, 1001, 1011][Math.floor(random() * 6)]!;
    events.push({ type: 'close', ...who, t: start + up, conn, code, cause: code === 4008 ? 'heartbeat_timeout' : 'abnormal_close', reason: '', byServer: code !== 1006, durationMs: up });
    lifecycle += 2;
  }
  const repeats = events.filter(() => random() < 0.05);
  const all = [...events, ...repeats];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const events = dayOfEvents();
const build: number[] = [];
const report: number[] = [];
const csv: number[] = [];
let summary = '';
for (let run = 0; run <= RUNS; run++) {
  const t0 = performance.now();
  const timeline = buildTimeline({ events, from: T0, to: T0 + DAY, now: T0 + DAY });
  const t1 = performance.now();
  const r = diagnose(timeline, T0 + DAY, { formatTime: (t) => new Date(t).toISOString().slice(11, 16) });
  const t2 = performance.now();
  toCsv(events, { from: T0, to: T0 + DAY });
  const t3 = performance.now();
  if (run === 0) {
    summary = `${timeline.events.length} lifecycle events in the window (${events.length} delivered incl. samples and repeats), ${timeline.segments.length} segments, ${timeline.attempts.length} attempts, ${timeline.heartbeats.cells.length} heartbeat cells, ${r.issues.length} issues`;
    continue;
  }
  build.push(t1 - t0);
  report.push(t2 - t1);
  csv.push(t3 - t2);
}
console.log(summary);
console.log(`buildTimeline median ${median(build).toFixed(1)} ms, diagnose ${median(report).toFixed(2)} ms, toCsv ${median(csv).toFixed(1)} ms (${RUNS} runs)`);
