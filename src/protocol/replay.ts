/**
 * The replay contract: `GET /api/replay/fleet?t=…` (docs/api.md) answers the fleet as it stood at
 * the instant `t`, rebuilt from the store (src/core/replay/fleet-replay.ts). The hub's route is
 * typed against this schema and a client decodes with it, so both sides change together.
 * Terminal-provided strings (ids) are data, never markup.
 */
import { z } from 'zod';
import { healthStatuses } from './live.ts';
import { errorTypes, gaugeSchema } from './telemetry.ts';

const id = z.string().min(1).max(64);
const ms = z.number();
const count = z.number().int().nonnegative();
const rate = z.number().nonnegative();
const share = z.number().min(0).max(1);
const percentiles = z.object({ p50: rate, p95: rate, p99: rate }).nullable();

/** The figures of the stored minute holding `t` (figures.ts `minuteFigures`): rates and percentiles at minute resolution. */
export const replayMinuteSchema = z.object({
  /** Start of the minute. */
  minute: ms,
  connections: gaugeSchema.nullable(),
  expected: count.nullable(),
  opens: count,
  closes: z.record(z.string(), count),
  reconnects: count,
  heartbeatSuccess: share.nullable(),
  rttMs: percentiles,
  deliveryMs: percentiles,
  durationMs: z.object({ mean: rate, p50: rate, p95: rate }).nullable(),
  errors: z.partialRecord(z.enum(errorTypes), count),
  errorsTotal: count,
  stability: share.nullable(),
});

export const replayTerminalSchema = z.object({
  tid: id,
  connected: z.boolean(),
  /** Connected: since its connections went from none to one. Not: its last close; null if none is stored. */
  since: ms.nullable(),
  health: z.enum(healthStatuses),
  connections: z.array(z.object({ gw: id, conn: z.string().min(1).max(128), since: ms })),
});

export const replayRestaurantSchema = z.object({
  rid: id,
  status: z.enum(healthStatuses),
  /** Open connections at `t`, exact to the event. */
  connections: count,
  connectedTerminals: count,
  expected: count,
  /** Connected terminals by silence at `t` (only late heartbeats are stored: silences come from them). */
  terminals: z.object({ healthy: count, degraded: count, unhealthy: count }),
  /** Error closes in the 60 whole seconds before `t`, from the events. */
  errorsLastMinute: count,
  /** Null when the store holds no minute of this restaurant at `t` (a hub gap, or not rolled up yet). */
  minute: replayMinuteSchema.nullable(),
  terminalList: z.array(replayTerminalSchema),
});

export const replayFleetAnswerSchema = z.object({
  /** The instant replayed. */
  t: ms,
  /** The stored window `t` may be in, both ends included: `to` is the hub's now. */
  window: z.object({ from: ms, to: ms }),
  restaurants: z.array(replayRestaurantSchema),
});
export type ReplayFleetAnswer = z.infer<typeof replayFleetAnswerSchema>;
export type ReplayRestaurantWire = z.infer<typeof replayRestaurantSchema>;

/**
 * `GET /api/replay/markers?from=&to=`: the moments of a window worth jumping to
 * (src/core/replay/incident-markers.ts), about the viewer's restaurants only; `fleet` markers are
 * computed over the viewer's scope. `description` is one line of text, never markup.
 */
export const markerKinds = ['connections_drop', 'reconnect_storm', 'auth_spike', 'heartbeat_low', 'gateway_lost', 'hub_gap'] as const;
export const incidentMarkerSchema = z.object({
  t: ms,
  /** End of the run of minutes it covers (exclusive). */
  until: ms,
  kind: z.enum(markerKinds),
  /** `fleet` or a restaurant id. */
  scope: id,
  description: z.string().min(1).max(300),
});
export const replayMarkersAnswerSchema = z.object({
  from: ms,
  to: ms,
  markers: z.array(incidentMarkerSchema),
});
export type ReplayMarkersAnswer = z.infer<typeof replayMarkersAnswerSchema>;

/**
 * `GET /api/replay/changes?from=&to=&step=`: playback without rebuilding. The fleet is rebuilt at
 * `from` once and stepped forward (`FleetReplay.advanceTo`) to `from + step`, `from + 2·step`, …,
 * `to`; each frame holds the restaurants whose state changed since the one before, whole (with
 * their terminals), and those gone. A client that holds the fleet at `from` (`/api/replay/fleet`)
 * reaches any frame's instant by applying the frames up to it. Bounded (docs/api.md).
 */
export const replayChangeFrameSchema = z.object({
  t: ms,
  restaurants: z.array(replayRestaurantSchema),
  removed: z.array(id),
});
export const replayChangesAnswerSchema = z.object({
  from: ms,
  to: ms,
  step: ms,
  frames: z.array(replayChangeFrameSchema),
});
export type ReplayChangeFrame = z.infer<typeof replayChangeFrameSchema>;
export type ReplayChangesAnswer = z.infer<typeof replayChangesAnswerSchema>;
