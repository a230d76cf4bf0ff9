/**
 * A ping whose reported RTT could not be real (src/core/rtt-plausible.ts) travels raw, as an
 * `rtt_implausible` lifecycle record for the terminal's diagnosis; the pings of one
 * connection-second share one record (`count`), so a terminal sending nothing else stays at most
 * one record a second, like its beats. Used by the probe aggregator (probe-aggregator.ts).
 */
import type { ProbeEventOf } from '../protocol/probe-events.ts';
import type { LifecycleEvent, RttImplausibleEvent } from '../protocol/telemetry.ts';
import { secondOf, type Conn } from './probe-aggregator-state.ts';

/** Adds the report to `c`'s record of this second in `lifecycle` (the frame being built), or starts one. */
export function recordImplausibleRtt(c: Conn, e: ProbeEventOf<'heartbeat'>, rtt: number, lifecycle: LifecycleEvent[]): void {
  const last = c.implausible;
  if (last !== null && c.implausibleIn === lifecycle && secondOf(last.t) === secondOf(e.t) && e.t >= last.t) {
    last.count++;
    last.t = e.t;
    last.rtt = rtt;
    return;
  }
  const record: RttImplausibleEvent = { type: 'rtt_implausible', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, rtt, count: 1 };
  lifecycle.push(record);
  c.implausible = record;
  c.implausibleIn = lifecycle;
}
