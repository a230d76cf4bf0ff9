/**
 * Telemetry the gateway's probe emits, one event per thing that happened to a connection.
 * Lifecycle events (open, close, auth failure, heartbeat timeout, limit hits) are needed one by one
 * by the terminal timeline; heartbeats and acks are aggregated per restaurant-second by the hub
 * side of the probe (see DESIGN.md, "The pipeline"), except that a late heartbeat also travels raw
 * (`heartbeat_late`, src/protocol/telemetry.ts).
 *
 * Every event names the gateway (`gw`), carries the gateway's clock (`t`, ms since epoch) and,
 * once a token was verified, the restaurant (`rid`) and terminal (`tid`); a refused token's
 * event has neither (only its unverified claims, as labels).
 */
import { z } from 'zod';
import { closeCauses } from './close-codes.ts';

const base = {
  gw: z.string(),
  t: z.number(),
};
const who = {
  rid: z.string(),
  tid: z.string(),
  /** Unique per connection on this gateway; ties the open to its close. */
  conn: z.string(),
};

/** `refused`: the gateway closed 4001 and the probe watching it could not check the token itself (a proxy without the secret). */
export const authFailReasons = ['missing', 'malformed', 'expired', 'bad_signature', 'bad_algorithm', 'bad_claims', 'refused'] as const;
export type AuthFailReason = (typeof authFailReasons)[number];

export const limitKinds = ['rate', 'size', 'invalid'] as const;
export type LimitKind = (typeof limitKinds)[number];

export const probeEventSchema = z.discriminatedUnion('type', [
  /**
   * An authenticated connection opened; `via`: how the token came (header/other: gateways watched
   * through the open ingest). `heartbeatIntervalMs`/`heartbeatGraceMs`: what the connection was
   * asked to keep, so its pings are counted per interval (src/core/probe-aggregator.ts).
   */
  z.object({
    type: z.literal('open'),
    ...base,
    ...who,
    via: z.enum(['subprotocol', 'query', 'header', 'other']),
    heartbeatIntervalMs: z.number().int().positive().optional(),
    heartbeatGraceMs: z.number().int().nonnegative().optional(),
  }),
  /** An authenticated connection closed. `byServer` tells who sent the close (or terminated). */
  z.object({
    type: z.literal('close'),
    ...base,
    ...who,
    code: z.number().int(),
    cause: z.enum(closeCauses),
    reason: z.string(),
    byServer: z.boolean(),
    durationMs: z.number().nonnegative(),
  }),
  /**
   * A handshake whose token was refused; closed 4001 with nothing processed. It belongs to no
   * restaurant: `claimedRid`/`claimedTid` are what the token said, when it could be read at all —
   * labels for engineers that no signature vouched for, never a restaurant's or terminal's data
   * (a flood of `alg: none` tokens naming new rids once created a restaurant per token). Named
   * `claimed…` rather than `rid`/`tid` so no consumer can file it under a restaurant by accident.
   * The peer's address is counted on the gateway's metrics, not carried (docs/architecture.md).
   */
  z.object({
    type: z.literal('auth_fail'),
    ...base,
    reason: z.enum(authFailReasons),
    claimedRid: z.string().max(64).optional(),
    claimedTid: z.string().max(64).optional(),
  }),
  /**
   * A ping arrived. `onTime` = within the interval plus grace since the previous one (or the open).
   * `implausibleRtt`: the round trip the terminal reported could not be real (negative, or longer
   * than the heartbeat interval); it is no `rtt` sample, and the terminal's diagnosis counts it.
   */
  z.object({
    type: z.literal('heartbeat'),
    ...base,
    ...who,
    onTime: z.boolean(),
    gapMs: z.number().nonnegative(),
    rtt: z.number().nonnegative().optional(),
    implausibleRtt: z.number().optional(),
  }),
  /** An order update was acknowledged; `latencyMs` is gateway send → ack receipt. */
  z.object({ type: z.literal('ack'), ...base, ...who, seq: z.number().int(), latencyMs: z.number().nonnegative() }),
  /** A limit was hit; the close event that follows carries the close code. */
  z.object({ type: z.literal('limit'), ...base, ...who, kind: z.enum(limitKinds), detail: z.string() }),
  /**
   * Traffic counters, emitted per message so aggregation can sum them; `messages` (default 1) lets
   * one event stand for several, as the open ingest's counts do (src/core/raw-events.ts).
   */
  z.object({ type: z.literal('traffic'), ...base, ...who, dir: z.enum(['in', 'out']), bytes: z.number().int().nonnegative(), messages: z.number().int().nonnegative().optional() }),
]);

export type ProbeEvent = z.infer<typeof probeEventSchema>;
export type ProbeEventType = ProbeEvent['type'];
export type ProbeEventOf<T extends ProbeEventType> = Extract<ProbeEvent, { type: T }>;

/** Where the probe sends its events: a log, the in-memory bus, an aggregator, a test's array. */
export interface ProbeSink {
  emit(event: ProbeEvent): void;
}
