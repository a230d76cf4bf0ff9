/**
 * Sealing a restaurant-second (probe-aggregator.ts): the accumulator becomes one `RestaurantSecond`
 * of the next frame (src/protocol/telemetry.ts) and is reset for the next second. Samples become
 * histograms only here, in one histogram per kind shared by every restaurant: filled from the
 * second's samples, encoded, reset.
 */
import type { Beat, RestaurantSecond } from '../protocol/telemetry.ts';
import { Histogram } from './histogram.ts';
import type { Acc, Conn, Samples } from './probe-aggregator-state.ts';

/**
 * The closes, limits and errors of a second without any: most seconds, so one frozen object for
 * all of them rather than three new ones per restaurant-second. Consumers only read these maps.
 */
const NONE: Readonly<Record<string, number>> = Object.freeze({});

export type SealSecond = (acc: Acc) => RestaurantSecond;

/** A sealer with its own histograms (one aggregator's). */
export function createSealer(): SealSecond {
  const histograms = { rtt: new Histogram(), latency: new Histogram(), duration: new Histogram() };

  function encodeAndReset(samples: Samples, h: Histogram): string | undefined {
    if (samples.count === 0) return undefined;
    for (let i = 0; i < samples.count; i++) h.record(samples.values[i] as number);
    samples.count = 0;
    const text = h.encode();
    h.reset();
    return text;
  }

  return function seal(acc: Acc): RestaurantSecond {
    // Sized up front: a push onto `[]` reserves 17 slots for the one or two beats a second has.
    const beats: Beat[] = new Array<Beat>(acc.beatCount);
    for (let i = 0; i < acc.beatCount; i++) {
      const c = acc.beats[i] as Conn;
      beats[i] = c.rtt >= 0 ? { tid: c.tid, conn: c.conn, t: c.lastBeatT, rtt: c.rtt, onTime: c.onTime } : { tid: c.tid, conn: c.conn, t: c.lastBeatT, onTime: c.onTime };
      c.beatListed = false;
    }
    const second: RestaurantSecond = {
      rid: acc.rid,
      s: acc.s,
      opens: acc.opens,
      closes: acc.closes ?? NONE,
      reconnects: acc.reconnects,
      hbOnTime: acc.hbOnTime,
      hbLate: acc.hbLate,
      msgIn: acc.msgIn,
      msgOut: acc.msgOut,
      bytesIn: acc.bytesIn,
      bytesOut: acc.bytesOut,
      limits: acc.limits ?? NONE,
      errors: acc.errors ?? NONE,
      conns: { last: acc.conns, min: acc.connsMin, max: acc.connsMax },
      beats,
    };
    const rtt = encodeAndReset(acc.rtt, histograms.rtt);
    const latency = encodeAndReset(acc.latency, histograms.latency);
    const duration = encodeAndReset(acc.duration, histograms.duration);
    if (rtt !== undefined) second.rtt = rtt;
    if (latency !== undefined) second.latency = latency;
    if (duration !== undefined) second.duration = duration;

    acc.opens = acc.reconnects = acc.hbOnTime = acc.hbLate = 0;
    acc.msgIn = acc.msgOut = acc.bytesIn = acc.bytesOut = 0;
    acc.closes = acc.limits = acc.errors = null;
    acc.connsMin = acc.connsMax = acc.conns;
    acc.beatCount = 0;
    return second;
  };
}
