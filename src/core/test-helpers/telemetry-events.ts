/**
 * Literal probe events and frames for tests of the telemetry pipeline, written the way the
 * gateway's probe emits them. `T0` is a whole second so tests read offsets as "second + ms".
 */
import type { ProbeEvent, ProbeEventOf } from '../../protocol/probe-events.ts';
import type { RestaurantSecond, TelemetryFrame } from '../../protocol/telemetry.ts';
import { causeOfClose } from '../../protocol/close-codes.ts';
import { createHistogram, decodeHistogram } from '../histogram.ts';

export const T0 = 1_700_000_000_000;
const GW = 'gw-test';

export const ev = {
  open: (t: number, rid: string, tid: string, conn: string, gw = GW): ProbeEventOf<'open'> => ({ type: 'open', gw, t, rid, tid, conn, via: 'subprotocol' }),
  close: (t: number, rid: string, tid: string, conn: string, code: number, durationMs: number, opts: { byServer?: boolean; cause?: ProbeEventOf<'close'>['cause']; gw?: string } = {}): ProbeEventOf<'close'> => ({
    type: 'close',
    gw: opts.gw ?? GW,
    t,
    rid,
    tid,
    conn,
    code,
    cause: opts.cause ?? causeOfClose(code, opts.byServer ?? false),
    reason: '',
    byServer: opts.byServer ?? false,
    durationMs,
  }),
  beat: (t: number, rid: string, tid: string, conn: string, onTime: boolean, rtt?: number, gw = GW): ProbeEventOf<'heartbeat'> =>
    rtt === undefined ? { type: 'heartbeat', gw, t, rid, tid, conn, onTime, gapMs: 15_000 } : { type: 'heartbeat', gw, t, rid, tid, conn, onTime, gapMs: 15_000, rtt },
  traffic: (t: number, rid: string, tid: string, conn: string, dir: 'in' | 'out', bytes: number): ProbeEventOf<'traffic'> => ({ type: 'traffic', gw: GW, t, rid, tid, conn, dir, bytes }),
  ack: (t: number, rid: string, tid: string, conn: string, latencyMs: number): ProbeEventOf<'ack'> => ({ type: 'ack', gw: GW, t, rid, tid, conn, seq: 1, latencyMs }),
  limit: (t: number, rid: string, tid: string, conn: string, kind: 'rate' | 'size' | 'invalid'): ProbeEventOf<'limit'> => ({ type: 'limit', gw: GW, t, rid, tid, conn, kind, detail: kind }),
  authFail: (t: number, rid?: string): ProbeEventOf<'auth_fail'> => (rid === undefined ? { type: 'auth_fail', gw: GW, t, reason: 'malformed' } : { type: 'auth_fail', gw: GW, t, reason: 'expired', claimedRid: rid, claimedTid: `${rid}-t9` }),
};

/** The summary a test compares an encoded histogram by: count and a few exact-enough levels. */
export type HistSummary = { n: number; p50: number | null; p100: number | null };

export function summary(encoded: string | undefined): HistSummary | undefined {
  if (encoded === undefined) return undefined;
  const h = decodeHistogram(encoded);
  if (!h) throw new Error('undecodable histogram');
  return { n: h.count, p50: h.percentile(50), p100: h.percentile(100) };
}

/** What a fresh histogram of these values summarises to. */
export function hist(...values: number[]): HistSummary {
  const h = createHistogram();
  for (const v of values) h.record(v);
  return { n: h.count, p50: h.percentile(50), p100: h.percentile(100) };
}

type ReadableSecond = Omit<RestaurantSecond, 'rtt' | 'latency' | 'duration'> & { rtt?: HistSummary; latency?: HistSummary; duration?: HistSummary };

/** A restaurant-second with its histograms summarised, so tests can compare whole frames. */
export function readable(second: RestaurantSecond): ReadableSecond {
  const { rtt, latency, duration, ...rest } = second;
  const out: ReadableSecond = { ...rest };
  if (rtt !== undefined) out.rtt = summary(rtt);
  if (latency !== undefined) out.latency = summary(latency);
  if (duration !== undefined) out.duration = summary(duration);
  return out;
}

/** A restaurant-second with nothing in it but what `fields` says. */
export function second(rid: string, s: number, fields: Partial<ReadableSecond> = {}): ReadableSecond {
  return {
    rid,
    s,
    opens: 0,
    closes: {},
    reconnects: 0,
    hbOnTime: 0,
    hbLate: 0,
    msgIn: 0,
    msgOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    limits: {},
    errors: {},
    conns: { last: 0, min: 0, max: 0 },
    beats: [],
    ...fields,
  };
}

/** A frame built by hand, for fleet-state and bus tests that need exact control. */
export function frame(gw: string, seq: number, seconds: RestaurantSecond[], lifecycle: ProbeEvent[] = [], run = 1): TelemetryFrame {
  return { v: 1, gw, run, seq, t: T0 + seq * 1000, seconds, lifecycle: lifecycle as TelemetryFrame['lifecycle'] };
}

/** A whole minute, after T0, so rollup tests read offsets from a minute boundary. */
export const M0 = Math.ceil(T0 / 60_000) * 60_000;
