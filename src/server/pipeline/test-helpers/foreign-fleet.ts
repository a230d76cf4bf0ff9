/**
 * The fleet the three reconciliations against gateways Pulse did not write all run — through the
 * proxy, the Node probe and the Python probe — and what the truth says it should have produced,
 * so the three compare the same run by the same rules and differ only in the way in.
 *
 * 6 restaurants × 3 terminals, heartbeat 300 ms (grace 150), tokens in `?token=`, no welcome: an
 * outage (r-003), a flap (r-005-t2), a silent drop (r-006-t1, 4008 from the gateway) and a token
 * signed with another secret (r-002-t3, refused for good).
 */
import { expect } from 'vitest';
import { RECONNECT_WINDOW_MS } from '../../../core/reconnect.ts';
import { startFleet, type Fleet } from '../../sim/fleet.ts';
import { parseScenario } from '../../sim/scenario.ts';
import type { TerminalTruthEvent, TruthEvent } from '../../sim/truth-events.ts';
import { waitFor } from '../../test-helpers/wait-for.ts';
import { rttPlausible } from '../../../core/rtt-plausible.ts';

export const HEARTBEAT_MS = 300;
export const GRACE_MS = 150;
export const RIDS = Array.from({ length: 6 }, (_, i) => `r-${String(i + 1).padStart(3, '0')}`);
export const TERMINALS = 3;

const scenario = parseScenario(
  JSON.stringify({
    network: { default: 'lan', mix: [{ profile: 'wifi', share: 0.5 }] },
    orders: { perTerminalPerMinute: 60 },
    faults: [
      { type: 'outage', at: 1.5, duration: 2, restaurants: ['r-003'] },
      { type: 'flap', at: 1, duration: 4, everyS: 1, terminals: ['r-005-t2'] },
      { type: 'silent', at: 2, duration: 1.5, terminals: ['r-006-t1'] },
      { type: 'bad-token', at: 2.5, kind: 'wrong-secret', terminals: ['r-002-t3'] },
    ],
  }),
);

export type Connected = Record<string, number>;

/**
 * Runs the fleet against `gatewayUrl` until the faults are over and every terminal that can be is
 * back, reads connections while it is up (hub and truth, once the hub has caught up), then stops it.
 */
export async function runForeignFleet(o: { gatewayUrl: string; secret: string; truth: TruthEvent[]; hubConnected: () => Promise<Connected>; truthConnected: () => Connected }): Promise<{ fleet: Fleet; from: number; quiet: { hub: Connected; truth: Connected } }> {
  const fleet = await startFleet({
    gatewayUrl: o.gatewayUrl,
    secret: o.secret,
    restaurants: RIDS.length,
    terminals: { min: TERMINALS, max: TERMINALS },
    heartbeatIntervalMs: HEARTBEAT_MS,
    scenario,
    seed: 11,
    rampPerSec: 2000,
    backoff: { baseMs: 150, capMs: 600 },
    stableAfterMs: 2 * HEARTBEAT_MS,
    tokenVia: 'query',
    welcome: false,
    onTruth: (e) => o.truth.push(e),
  });
  const from = fleet.startedAt;
  try {
    await new Promise((r) => setTimeout(r, 6_500));
    const expected = RIDS.length * TERMINALS - 1; // r-002-t3 stays refused
    await waitFor(`${expected} terminals connected`, () => fleet.connectedCount() === expected, 8_000);
    await new Promise((r) => setTimeout(r, 4 * HEARTBEAT_MS));
    // Probes batch once a second and the hub's ingest publishes on whole seconds.
    for (let i = 0; i < 40; i++) {
      if (JSON.stringify(await o.hubConnected()) === JSON.stringify(o.truthConnected())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { fleet, from, quiet: { hub: await o.hubConnected(), truth: o.truthConnected() } };
  } finally {
    await fleet.stop();
  }
}

/** What the hub should count for one restaurant: opens, reconnects (DESIGN.md), closes by code (a silenced connection as the gateway's 4008) and refused tokens. */
export function expectedCounts(rid: string, events: readonly TerminalTruthEvent[]): { rid: string; opens: number; reconnects: number; closes: Record<string, number>; refused: number } {
  const closes: Record<string, number> = {};
  const lastClose = new Map<string, number>();
  let reconnects = 0;
  for (const e of events) {
    if (e.ev === 'close') {
      const code = e.silent ? 4008 : e.code;
      closes[code] = (closes[code] ?? 0) + 1;
      lastClose.set(e.tid, e.t);
    }
    if (e.ev === 'open' && lastClose.has(e.tid) && e.t - lastClose.get(e.tid)! <= RECONNECT_WINDOW_MS) reconnects++;
  }
  // A refused token is counted in no restaurant, whatever it claims (issue 18, item 9): fleet-wide only.
  return { rid, opens: events.filter((e) => e.ev === 'open').length, reconnects, closes, refused: 0 };
}

/** Every RTT sample the hub got (`seen`) is one a terminal sent with a ping that arrived. */
/**
 * The RTT samples the hub keeps of the pings a probe reported: their `rtt`s within the heartbeat
 * interval, by the gateway's rule (src/core/rtt-plausible.ts); a round trip a loaded machine
 * stretched past 300 ms is counted against the terminal instead, as the reference gateway does.
 */
export function keptRtts(pings: readonly { rtt?: number }[]): number[] {
  return pings.flatMap((e) => (e.rtt === undefined || !rttPlausible(e.rtt, HEARTBEAT_MS) ? [] : [e.rtt]));
}

export function expectSamplesSent(events: readonly TerminalTruthEvent[], seen: readonly number[], what: string): void {
  const pool = new Map<number, number>();
  for (const e of events) if (e.ev === 'ping' && !e.lost && e.rtt !== undefined) pool.set(e.rtt, (pool.get(e.rtt) ?? 0) + 1);
  for (const v of seen) {
    expect(pool.get(v) ?? 0, `${what}: rtt ${v} seen but never sent`).toBeGreaterThan(0);
    pool.set(v, pool.get(v)! - 1);
  }
}
