/**
 * `npm run bench:alerts`: what evaluating the rules adds to each hub tick. The shipped default
 * rules over a fleet of restaurants (default 2,000) whose figures drift and fault at random
 * (seeded), one tick per simulated second; prints the evaluation time per tick (observations
 * built from the figures + the evaluator) against the target, and the transitions it produced.
 *
 *   npm run bench:alerts [-- --restaurants 2000 --ticks 600 --seed 1]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../src/core/clock.ts';
import { AlertEvaluator } from '../../src/core/alerts/alert-evaluator.ts';
import { observationsOf, type ObservationInputs } from '../../src/core/alerts/alert-observations.ts';
import { parseAlertsConfig } from '../../src/server/alerts/alerts-config.ts';
import { defaultAlertsFile } from '../../src/server/alerts/alerts-cli.ts';

/** A tick is 1 s; the stream's own work must keep most of it. */
const TARGET_MS = 10;

const { values } = parseArgs({ options: { restaurants: { type: 'string', default: '2000' }, ticks: { type: 'string', default: '600' }, seed: { type: 'string', default: '1' } } });
const restaurants = Number(values.restaurants);
const ticks = Number(values.ticks);
const random = seededRandom(Number(values.seed));

const parsed = parseAlertsConfig(readFileSync(defaultAlertsFile, 'utf8'), {});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const { rules, directory } = parsed.config;
const evaluator = new AlertEvaluator(rules);

type Fig = ObservationInputs['restaurants'][number];
const fleet: Fig[] = Array.from({ length: restaurants }, (_, i) => ({ rid: `r-${String(i + 1).padStart(4, '0')}`, status: 'healthy', heartbeatSuccess: 1, rttMs: { p50: 40, p95: 90, p99: 120 }, reconnectsPerMin: 0, errors: {} }));
/** Each restaurant has a fault now and then: offline, slow, or flapping for a minute or two. */
const faultUntil = new Array<number>(restaurants).fill(-1);
const faultKind = new Array<number>(restaurants).fill(0);

const t0 = Date.parse('2026-12-02T12:00:00Z');
const times: number[] = [];
let transitions = 0;
for (let k = 0; k < ticks; k++) {
  const now = t0 + k * 1000;
  for (let i = 0; i < restaurants; i++) {
    if (faultUntil[i]! < k && random() < 1 / 1800) {
      faultUntil[i] = k + 60 + Math.floor(random() * 60);
      faultKind[i] = Math.floor(random() * 3);
    }
    const faulty = faultUntil[i]! >= k;
    const kind = faultKind[i];
    const jitter = random();
    // New objects each tick, as the stream's sample hands over.
    fleet[i] = {
      rid: fleet[i]!.rid,
      status: faulty && kind === 0 ? 'offline' : 'healthy',
      heartbeatSuccess: faulty && kind === 0 ? null : faulty ? 0.7 + 0.2 * jitter : 0.97 + 0.03 * jitter,
      rttMs: faulty && kind === 0 ? null : { p50: 40, p95: faulty && kind === 1 ? 600 + 800 * jitter : 80 + 40 * jitter, p99: 200 },
      reconnectsPerMin: faulty && kind === 2 ? 4 + 8 * jitter : 0,
      errors: {},
    };
  }
  const started = performance.now();
  const obs = observationsOf({ restaurants: fleet, gateways: [{ gw: 'gw-1', alive: true }], unscopedAuthFailuresPerMin: 0, storeFailing: false });
  transitions += evaluator.evaluate(now, obs, { directory, silences: [] }).length;
  times.push(performance.now() - started);
}

times.sort((a, b) => a - b);
const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
const p99 = at(99);
console.log(`alerts: ${rules.length} rules × ${restaurants} restaurants, ${ticks} ticks (seed ${values.seed})`);
console.log(`  evaluation per tick  p50 ${at(50).toFixed(2)} ms   p99 ${p99.toFixed(2)} ms   max ${times.at(-1)!.toFixed(2)} ms   (target p99 < ${TARGET_MS} ms: ${p99 < TARGET_MS ? 'met' : 'NOT met'})`);
console.log(`  transitions          ${transitions} (firing + resolved), firing at the end ${evaluator.firingByRule().reduce((n, r) => n + r.firing, 0)}`);
