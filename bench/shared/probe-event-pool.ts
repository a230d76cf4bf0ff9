/**
 * The probe events the aggregation benches fold (bench:hub's aggregation part, and
 * bench/core/aggregation-bench.ts), built before timing — the probe creates them anyway — and
 * mixed the way a gateway sees them: per heartbeat one `heartbeat` and two `traffic` (ping in,
 * pong out); per order update a `traffic` out, then a `traffic` in and an `ack`; a few closes and
 * reopens. 20,000 connections over 2,000 restaurants, seeded, stamped at `perSecond` events per
 * second of event time.
 */
import { seededRandom } from '../../src/core/clock.ts';
import type { ProbeEvent, ProbeEventOf } from '../../src/protocol/probe-events.ts';

export const poolRestaurants = 2_000;
export const poolConnections = 20_000;

/** `openFields`: what the first open of each connection carries beyond who it is (e.g. the heartbeat it asks for). */
export function buildProbeEventPool(pool: number, t0: number, perSecond: number, openFields: Partial<ProbeEventOf<'open'>> = {}): ProbeEvent[] {
  const random = seededRandom(42);
  const gw = 'gw-bench';
  const who = Array.from({ length: poolConnections }, (_, i) => ({ rid: `r-${String(i % poolRestaurants).padStart(4, '0')}`, tid: `t-${i}`, conn: `c-${i}` }));
  const events: ProbeEvent[] = who.map((w) => ({ type: 'open', gw, t: t0, ...w, via: 'subprotocol', ...openFields }));
  while (events.length < pool) {
    const t = t0 + Math.floor((events.length / perSecond) * 1000);
    const w = who[Math.floor(random() * poolConnections)]!;
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
