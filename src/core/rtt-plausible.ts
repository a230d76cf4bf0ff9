/**
 * The one rule for a terminal-reported round trip (issue 18, item 1), used by the reference gateway
 * (terminal-connection.ts) and by the hub's fold of probe events (raw-events.ts), so a `rtt: 1e9`
 * ends up the same whichever way it came in: the heartbeat counts, the figure is no sample, and it
 * is counted against the terminal (`rtt_implausible`, its diagnosis: "reports implausible RTT").
 *
 * A round trip longer than the heartbeat interval cannot be real: the terminal pings once an
 * interval and reports the round trip of its previous ping, which had to come back before. The
 * bound is the interval the judge works with — the gateway's own, or the hub's `--heartbeat-interval`
 * for everything that comes through `/ingest` (the same interval it judges "on time" by).
 * Negative, NaN and infinite are implausible too.
 *
 * Probes apply it with the ingest's carrier bound (`ingestLimits.maxRttMs`) instead, which they
 * know without knowing the gateway's interval: what passes goes as `rtt`, to be judged again by
 * the hub; what does not goes as `implausibleRtt`.
 */

/** `{ rtt }` when plausible, `{ implausibleRtt }` when not, `{}` when nothing was reported. */
export type JudgedRtt = { rtt: number; implausibleRtt?: undefined } | { rtt?: undefined; implausibleRtt: number } | { rtt?: undefined; implausibleRtt?: undefined };

export function rttPlausible(rtt: number, maxMs: number): boolean {
  return rtt >= 0 && rtt <= maxMs; // false for NaN
}

export function judgeRtt(rtt: number | undefined, maxMs: number): JudgedRtt {
  if (rtt === undefined) return {};
  return rttPlausible(rtt, maxMs) ? { rtt } : { implausibleRtt: rtt };
}

/**
 * An implausible report as a JSON number (the ingest's `implausibleRtt` is finite): ±Infinity —
 * what `JSON.parse('1e400')` makes — becomes ±Number.MAX_VALUE, NaN stays out (null).
 */
export function implausibleAsFinite(rtt: number): number | null {
  if (Number.isNaN(rtt)) return null;
  return Number.isFinite(rtt) ? rtt : Math.sign(rtt) * Number.MAX_VALUE;
}
