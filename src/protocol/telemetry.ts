/**
 * Telemetry frames: what a gateway publishes onto the bus, once per second (see DESIGN.md,
 * "The pipeline"). A frame carries work in proportion to restaurants, not to heartbeats:
 *
 * - `seconds`: one `RestaurantSecond` per restaurant that had any activity in that second,
 *   pre-aggregated by the gateway's probe (src/core/probe-aggregator.ts);
 * - `lifecycle`: the raw open / close / auth_fail / limit probe events, a `heartbeat_late`
 *   record of every late heartbeat and an `rtt_implausible` record of pings whose reported RTT
 *   could not be real, in the order they happened, because the terminal timeline needs
 *   each one. A heartbeat timeout is a close with code 4008. On-time heartbeats are only counted:
 *   raw records grow with problems, not with heartbeats.
 *
 * Delivery is at-least-once: consumers de-duplicate by (`gw`, `run`, `seq`) and count gaps as loss.
 *
 * Units: times `t`/`s` are ms since epoch on the gateway's clock; durations are ms; histograms are
 * `encodeHistogram` strings whose values are µs (see src/core/histogram.ts).
 */
import { z } from 'zod';
import type { CloseCause } from './close-codes.ts';
import { PulseError } from './errors.ts';
import { limitKinds, probeEventSchema } from './probe-events.ts';
import type { ProbeEvent, ProbeEventOf } from './probe-events.ts';

export const TELEMETRY_VERSION = 1;

/** The "errors by type" of DESIGN.md, in its order. */
export const errorTypes = [
  'auth_failed',
  'forbidden',
  'rate_limited',
  'too_large',
  'invalid_message',
  'heartbeat_timeout',
  'abnormal_close',
  'going_away',
  'server_error',
] as const;
export type ErrorType = (typeof errorTypes)[number];

/**
 * The error type a close counts as, or null for an orderly close (either side's 1000) and for
 * 1013 "try again later", which is back-pressure rather than a fault.
 */
export function errorTypeOfCause(cause: CloseCause): ErrorType | null {
  switch (cause) {
    case 'client_close':
    case 'server_close':
    case 'try_again_later':
    case 'hub_killed': // Pulse's failure, not the terminal's
    case 'gateway_lost': // the gateway's failure, not the terminal's
    case 'gateway_stopped':
    case 'gateway_restarted':
      return null;
    default:
      return cause;
  }
}

const count = z.number().int().nonnegative();

export const gaugeSchema = z.object({ last: count, min: count, max: count });

/** The last heartbeat of one connection within the second: the live view's per-terminal state. */
export const beatSchema = z.object({
  tid: z.string(),
  conn: z.string(),
  /** When the ping arrived. */
  t: z.number(),
  /** The terminal's reported RTT in ms, when it sent one. */
  rtt: z.number().nonnegative().optional(),
  onTime: z.boolean(),
});
export type Beat = z.infer<typeof beatSchema>;

/** Everything one gateway saw of one restaurant in one second. */
export const restaurantSecondSchema = z.object({
  rid: z.string(),
  /** Start of the second, ms since epoch (a multiple of 1000). */
  s: z.number().int(),
  /** Authenticated connections opened. */
  opens: count,
  /** Authenticated connections closed, by close code (keys are codes as strings). */
  closes: z.record(z.string(), count),
  /**
   * Reconnects as this gateway alone saw them (its own earlier closes of the terminal). A terminal
   * may come back through another gateway, so the hub recounts reconnects across gateways from
   * `lifecycle` and does not add this one; it is here for per-gateway metrics.
   */
  reconnects: count,
  /** Heartbeats within the interval plus grace since the previous one (or the open). */
  hbOnTime: count,
  /** Heartbeats that came later than that. */
  hbLate: count,
  msgIn: count,
  msgOut: count,
  bytesIn: count,
  bytesOut: count,
  /** Limit hits by kind (rate, size, invalid); the close that follows is counted in `closes`. */
  limits: z.partialRecord(z.enum(limitKinds), count),
  /** Errors by type: closes by cause (see `errorTypeOfCause`) plus refused tokens naming this restaurant. */
  errors: z.partialRecord(z.enum(errorTypes), count),
  /** This gateway's authenticated connections of the restaurant during the second. */
  conns: gaugeSchema,
  /** Heartbeat RTT reported by terminals (encoded histogram, µs); absent when none. */
  rtt: z.string().optional(),
  /** Order-update delivery latency, send → ack (encoded histogram, µs); absent when none. */
  latency: z.string().optional(),
  /** Duration of the connections closed in the second (encoded histogram, µs); absent when none. */
  duration: z.string().optional(),
  /** One entry per connection that sent a heartbeat in the second: its last one. */
  beats: z.array(beatSchema),
});
export type RestaurantSecond = z.infer<typeof restaurantSecondSchema>;

/** Probe events that travel as they are; same shapes as in src/protocol/probe-events.ts. */
export const rawProbeTypes = ['open', 'close', 'auth_fail', 'limit'] as const;
export type RawProbeType = (typeof rawProbeTypes)[number];

/**
 * A heartbeat that came later than the interval plus grace after the previous one (or the open):
 * the probe's `heartbeat` event with `onTime: false`, made into a record by the probe's aggregator
 * (which also counts it in `hbLate`). With it, a terminal's timeline can tell every interval: one
 * with no late record and no 4008 close was on time (src/core/timeline/heartbeat-strip.ts).
 */
export const heartbeatLateSchema = z.object({
  type: z.literal('heartbeat_late'),
  gw: z.string(),
  t: z.number(),
  rid: z.string(),
  tid: z.string(),
  conn: z.string(),
  /** Since the previous heartbeat of the connection (or its open), ms. */
  gapMs: z.number().nonnegative(),
  /** The round trip the terminal reported with it, ms. */
  rtt: z.number().nonnegative().optional(),
});
export type HeartbeatLateEvent = z.infer<typeof heartbeatLateSchema>;

/**
 * Pings of one connection within one second whose reported round trip could not be real (the
 * heartbeat's `implausibleRtt`, issue 18 item 1): dropped from the RTT figures, and recorded so
 * the terminal's diagnosis can say "reports implausible RTT". One record per connection-second,
 * however many such pings it holds (`count`), so a terminal repeating the bug is bounded in records.
 */
export const rttImplausibleSchema = z.object({
  type: z.literal('rtt_implausible'),
  gw: z.string(),
  /** The last such ping of the second. */
  t: z.number(),
  rid: z.string(),
  tid: z.string(),
  conn: z.string(),
  /** The round trip that ping reported, ms, as sent. */
  rtt: z.number(),
  count: z.number().int().positive(),
});
export type RttImplausibleEvent = z.infer<typeof rttImplausibleSchema>;

export const lifecycleTypes = [...rawProbeTypes, 'heartbeat_late', 'rtt_implausible'] as const;
export type LifecycleType = (typeof lifecycleTypes)[number];
/** What travels raw in `lifecycle` and the store keeps one by one. */
export type LifecycleEvent = ProbeEventOf<RawProbeType> | HeartbeatLateEvent | RttImplausibleEvent;

export function isRawProbeEvent(event: ProbeEvent): event is ProbeEventOf<RawProbeType> {
  return (rawProbeTypes as readonly string[]).includes(event.type);
}

/** The record of a late heartbeat (null for one on time: those are only counted). */
export function lateHeartbeatOf(e: ProbeEventOf<'heartbeat'>): HeartbeatLateEvent | null {
  if (e.onTime) return null;
  const late: HeartbeatLateEvent = { type: 'heartbeat_late', gw: e.gw, t: e.t, rid: e.rid, tid: e.tid, conn: e.conn, gapMs: e.gapMs };
  if (e.rtt !== undefined) late.rtt = e.rtt;
  return late;
}

// The probe schema already defines the raw events; narrowing it keeps one definition of their shapes.
export const lifecycleEventSchema = z.union([
  probeEventSchema.refine(isRawProbeEvent, { message: 'not a lifecycle event' }),
  heartbeatLateSchema,
  rttImplausibleSchema,
]) as unknown as z.ZodType<LifecycleEvent>;

export const telemetryFrameSchema = z.object({
  v: z.literal(TELEMETRY_VERSION),
  /** Gateway id: unique and stable across restarts. */
  gw: z.string().min(1),
  /**
   * Gateway incarnation: ms since epoch when its aggregator started. `seq` restarts at 1 with every
   * run, so a restarted gateway is not mistaken for a stream of duplicates.
   */
  run: z.number().int().nonnegative(),
  /** 1, 2, 3, … per (gw, run), without gaps: one frame per flush, empty or not. */
  seq: z.number().int().positive(),
  /** The gateway's clock at the flush, ms since epoch. */
  t: z.number(),
  seconds: z.array(restaurantSecondSchema),
  lifecycle: z.array(lifecycleEventSchema),
  /**
   * The run's last frame: the gateway stopped on purpose (SIGTERM, Ctrl-C, its server closed) and
   * says so after everything else it saw, so the hub reads it "stopped", not lost. Its own content
   * applies first; frames of the same run after it are stale. Optional, so frames without it are
   * what they were, and a hub that predates it reads a goodbye frame as an ordinary one.
   */
  goodbye: z.literal(true).optional(),
});
export type TelemetryFrame = z.infer<typeof telemetryFrameSchema>;

export type DecodedFrame = { ok: true; value: TelemetryFrame } | { ok: false; error: PulseError };

/** Decode a frame read from a transport that carries text (Redis Streams); never throws. */
export function decodeTelemetryFrame(text: string): DecodedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: new PulseError('NOT_JSON') };
  }
  const v = (raw as { v?: unknown } | null)?.v;
  if (v !== TELEMETRY_VERSION) {
    return { ok: false, error: new PulseError('INVALID_MESSAGE', `unsupported telemetry version ${String(v).slice(0, 20)}`) };
  }
  const parsed = telemetryFrameSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'invalid';
    return { ok: false, error: new PulseError('INVALID_MESSAGE', where.slice(0, 80)) };
  }
  return { ok: true, value: parsed.data };
}

export function encodeTelemetryFrame(frame: TelemetryFrame): string {
  return JSON.stringify(frame);
}
