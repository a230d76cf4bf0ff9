/**
 * The figures the shipped probes report (the proxy's telemetry and the Node probe; the Python
 * probe's `ping_event` and `ack_event` do the same), by the rules the reference gateway keeps.
 *
 * A terminal's ping: The round trip it reports is judged by the hub, with
 * the gateway's rule (src/core/rtt-plausible.ts): a probe does not know its gateway's heartbeat
 * interval. It only keeps what the ingest's `rtt` cannot carry (beyond 60 s, negative) out of it
 * and sends that as `implausibleRtt`, so the hub counts it against the terminal rather than
 * refusing the ping — the heartbeat always counts.
 */
import { implausibleAsFinite, rttPlausible } from '../../core/rtt-plausible.ts';
import { ingestLimits, type RawEventOf } from '../../protocol/ingest.ts';

/** `counts.implausibleRtt`: reports kept out of `rtt` (a number out of range, or not a number). */
export function pingEvent(t: number, conn: string, rtt: unknown, counts: { implausibleRtt: number }): RawEventOf<'ping'> {
  if (typeof rtt === 'number' && rttPlausible(rtt, ingestLimits.maxRttMs)) return { type: 'ping', t, conn, rtt };
  if (rtt === undefined) return { type: 'ping', t, conn };
  counts.implausibleRtt++;
  // Not a number (`"12"`, `true`) is no round trip at all: the ping counts, nothing is reported.
  const reported = typeof rtt === 'number' ? implausibleAsFinite(rtt) : null;
  return reported === null ? { type: 'ping', t, conn } : { type: 'ping', t, conn, implausibleRtt: reported };
}

/**
 * An order update's ack, `latency` = the probe's send → ack. Its own clock on both ends, yet it can
 * step (NTP): a negative or hour-long latency is no figure, so no ack event goes — as the reference
 * gateway drops it (`pulse_gateway_implausible_latency_total`) rather than clamping it into a fake
 * 0 ms or 1 h sample, which is what the probes did.
 */
export function ackEvent(t: number, conn: string, seq: number, latency: number): RawEventOf<'ack'> | null {
  return latency >= 0 && latency <= ingestLimits.maxLatencyMs ? { type: 'ack', t, conn, seq, latency } : null;
}
