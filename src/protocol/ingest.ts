/**
 * The open telemetry ingest (docs/telemetry.md): what any probe — `pulse proxy`, a few lines in a
 * FastAPI or Node `ws` gateway, anything that can open a WebSocket or make an HTTP call — sends to
 * the hub's `/ingest`. Probes send *raw connection events*; the hub folds them with the same core
 * aggregator as the reference gateway's probe (src/core/probe-aggregator.ts), so a probe in any
 * language stays a few dozen lines and needs no histogram code.
 *
 * A batch carries the gateway id, the probe's run (its start, ms since epoch) and a sequence number
 * per (gateway, run): 1, 2, 3, … The hub drops a batch it already has, counts a missing one as
 * loss, and still takes one that arrives late (out of order). Events are validated one by one: an
 * invalid event is refused with a stable code and the valid rest of the batch is kept.
 *
 * Versioned: `v` is `INGEST_VERSION`; a later version adds fields or types, never changes one.
 * Units: `t` ms since epoch on the probe's clock; durations ms.
 */
import { z } from 'zod';
import { PulseError, type ErrorCode } from './errors.ts';
import { authFailReasons, limitKinds } from './probe-events.ts';
import { maxTimeMs } from './time-bounds.ts';

export const INGEST_VERSION = 1;
export const ingestPath = '/ingest';
/** Offered alongside `bearer.<jwt>` on the `/ingest` WebSocket and echoed by the hub. */
export const ingestSubprotocol = 'pulse.ingest.v1';

export const ingestLimits = {
  /** Events in one batch; a larger batch is refused whole (TOO_LARGE): split it. */
  maxEvents: 5000,
  /** Bytes of one batch (one WebSocket frame, one NDJSON line). */
  maxBatchBytes: 1 << 20,
  /** A terminal-reported or measured round trip longer than this cannot be real (refused, counted). */
  maxRttMs: 60_000,
  /** Order-update delivery latency beyond an hour is a clock or probe bug. */
  maxLatencyMs: 3_600_000,
} as const;

/** Ids as tokens carry them (tokens.ts): a till named `till-1` in every restaurant is fine. */
const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits and . _ : - (1 to 64)');
/** Unique per connection on this gateway (and run); ties every event to its open. */
const conn = z.string().min(1).max(128);
/** ms since epoch; at most the last valid Date (time-bounds.ts). */
const time = z.number().finite().positive().max(maxTimeMs);
const ms = (max: number) => z.number().finite().nonnegative().max(max);
const count = z.number().int().nonnegative().max(1e9);

const base = { t: time, conn };

export const rawEventSchema = z.discriminatedUnion('type', [
  /**
   * An accepted connection. `via`: how the token came. `verified: false` says the identity comes
   * from claims the probe could not check (a proxy without the secret) and the gateway accepted the
   * connection all the same. `resumed: true` re-announces a connection already open when the probe
   * (re)connects to the hub, so a restarted hub knows it: it is not counted as an open.
   */
  z.object({
    type: z.literal('open'),
    ...base,
    rid: id,
    tid: id,
    via: z.enum(['subprotocol', 'query', 'header', 'other']),
    verified: z.boolean().optional(),
    resumed: z.boolean().optional(),
  }),
  /** The connection ended. `by`: who sent the close (or dropped the socket); 1006 = no close frame. */
  z.object({
    type: z.literal('close'),
    ...base,
    code: z.number().int().min(1000).max(4999),
    reason: z.string().max(123).optional(),
    by: z.enum(['gateway', 'terminal']),
  }),
  /**
   * A heartbeat from the terminal; `rtt` is the round trip it reports measuring (ms).
   * `implausibleRtt` (instead of `rtt`): the round trip it reported could not be real (negative, or
   * longer than the heartbeat interval), so the probe kept it out of `rtt`; the hub records it
   * against the terminal (its diagnosis: "reports implausible RTT") and adds no sample.
   */
  z.object({ type: z.literal('ping'), ...base, rtt: ms(ingestLimits.maxRttMs).optional(), implausibleRtt: z.number().finite().optional() }),
  /**
   * The gateway answered a ping. `rtt`: ping → pong as the probe measured it (a proxy can): its own
   * leg only, so it is not the heartbeat RTT figure (the terminal's own), and adds no sample to it.
   */
  z.object({ type: z.literal('pong'), ...base, rtt: ms(ingestLimits.maxRttMs).optional() }),
  /** An order update was acknowledged; `latency` = the gateway's send → the ack (ms). */
  z.object({ type: z.literal('ack'), ...base, seq: z.number().int().nonnegative(), latency: ms(ingestLimits.maxLatencyMs) }),
  /** A limit was hit (rate, size, invalid message); the close that follows carries the code. */
  z.object({ type: z.literal('limit'), ...base, kind: z.enum(limitKinds), detail: z.string().max(200).optional() }),
  /**
   * A refused token (closed 4001). `claimedRid`/`claimedTid` are the token's claims, unverified:
   * they label the failure for engineers and never place it in a restaurant (it is counted
   * fleet-wide). `rid`/`tid` are what probes sent before; still accepted, read as the same claims.
   * `refused` = the gateway refused it and the probe could not say why.
   */
  z.object({
    type: z.literal('auth_fail'),
    t: time,
    conn: conn.optional(),
    reason: z.enum(authFailReasons),
    claimedRid: id.optional(),
    claimedTid: id.optional(),
    rid: id.optional(),
    tid: id.optional(),
  }),
  /** Messages and bytes since this connection's previous `traffic` event, per direction (in = from the terminal). */
  z.object({ type: z.literal('traffic'), ...base, msgIn: count.optional(), msgOut: count.optional(), bytesIn: count.optional(), bytesOut: count.optional() }),
]);
export type RawEvent = z.infer<typeof rawEventSchema>;
export type RawEventType = RawEvent['type'];
export type RawEventOf<T extends RawEventType> = Extract<RawEvent, { type: T }>;
export const rawEventTypes = ['open', 'close', 'ping', 'pong', 'ack', 'limit', 'auth_fail', 'traffic'] as const satisfies readonly RawEventType[];

/** The envelope; `events` are checked one by one (`decodeRawEvent`) so one bad event loses only itself. */
export const ingestBatchSchema = z.object({
  v: z.literal(INGEST_VERSION),
  gw: id,
  run: z.number().int().positive().max(maxTimeMs),
  seq: z.number().int().positive(),
  /** The probe's clock when it sent the batch. */
  t: time,
  events: z.array(z.unknown()).max(ingestLimits.maxEvents),
  /** Events the probe dropped since its previous batch (its buffer was full): counted as loss by the hub. */
  dropped: count.optional(),
  /**
   * The run's last batch: the probe's gateway stopped on purpose and everything it saw is in this
   * batch or an earlier one. The hub reads the gateway "stopped", not lost, and closes what is
   * still open of the run (`gateway_stopped`); a later batch of the run is refused. Added in v1
   * (optional): a hub that predates it ignores it, and reads the gateway lost once silent.
   */
  goodbye: z.literal(true).optional(),
});
export type IngestBatch = Omit<z.infer<typeof ingestBatchSchema>, 'events'> & { events: RawEvent[] };

/** One event the hub refused: its index in the batch, a stable code and what was wrong. */
export type RefusedEvent = { i: number; code: ErrorCode; message: string };

/**
 * What the hub answers to each batch (on the socket, one message per batch; over HTTP, one line
 * per NDJSON line):
 * - `ack`: the batch is in. `accepted` events kept, `refused` the others. `duplicate`: the hub had
 *   it already (nothing applied twice). `late`: it filled a gap (arrived out of order).
 * - `busy`: the hub did NOT take the batch: send it again after `retryAfterMs`, and slow down.
 * - `error`: the batch as a whole was refused (code says why); resending it unchanged won't help.
 */
export type IngestAnswer =
  | { type: 'ack'; seq: number; accepted: number; refused: RefusedEvent[]; duplicate?: true; late?: true }
  | { type: 'busy'; seq: number; retryAfterMs: number }
  | { type: 'error'; seq?: number; code: ErrorCode; message: string };

export type DecodedBatch = { ok: true; batch: Omit<IngestBatch, 'events'>; events: unknown[] } | { ok: false; error: PulseError; seq?: number };

/** UTF-8 bytes, without Node's Buffer (this contract is isomorphic); encoded only when it could matter. */
function utf8Length(text: string): number {
  if (text.length * 3 <= ingestLimits.maxBatchBytes) return text.length;
  return new TextEncoder().encode(text).length;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return (issue ? `${issue.path.join('.') || 'batch'}: ${issue.message}` : 'invalid').slice(0, 120);
}

/** The envelope of one batch (one frame or NDJSON line); never throws. */
export function decodeIngestBatch(text: string): DecodedBatch {
  if (utf8Length(text) > ingestLimits.maxBatchBytes) return { ok: false, error: new PulseError('TOO_LARGE', `a batch holds at most ${ingestLimits.maxBatchBytes} bytes`) };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: new PulseError('NOT_JSON') };
  }
  const seq = typeof (raw as { seq?: unknown } | null)?.seq === 'number' ? (raw as { seq: number }).seq : undefined;
  const v = (raw as { v?: unknown } | null)?.v;
  if (v !== INGEST_VERSION) return { ok: false, error: new PulseError('INVALID_MESSAGE', `unsupported ingest version ${String(v).slice(0, 20)}`), ...(seq !== undefined ? { seq } : {}) };
  const events = (raw as { events?: unknown }).events;
  if (Array.isArray(events) && events.length > ingestLimits.maxEvents) {
    return { ok: false, error: new PulseError('TOO_LARGE', `a batch holds at most ${ingestLimits.maxEvents} events`), ...(seq !== undefined ? { seq } : {}) };
  }
  const parsed = ingestBatchSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: new PulseError('INVALID_MESSAGE', firstIssue(parsed.error)), ...(seq !== undefined ? { seq } : {}) };
  const { events: list, ...batch } = parsed.data;
  return { ok: true, batch, events: list };
}

export function decodeRawEvent(raw: unknown): { ok: true; event: RawEvent } | { ok: false; error: PulseError } {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(rawEventTypes as readonly string[]).includes(type)) {
    return { ok: false, error: new PulseError('UNKNOWN_TYPE', typeof type === 'string' ? type.slice(0, 40) : 'missing type') };
  }
  const parsed = rawEventSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: new PulseError('INVALID_MESSAGE', firstIssue(parsed.error)) };
  return { ok: true, event: parsed.data };
}

export function encodeIngestBatch(batch: IngestBatch): string {
  return JSON.stringify(batch);
}

const answerSchema = z.union([
  z.object({ type: z.literal('ack'), seq: z.number(), accepted: z.number(), refused: z.array(z.object({ i: z.number(), code: z.string(), message: z.string() })), duplicate: z.literal(true).optional(), late: z.literal(true).optional() }),
  z.object({ type: z.literal('busy'), seq: z.number(), retryAfterMs: z.number() }),
  z.object({ type: z.literal('error'), seq: z.number().optional(), code: z.string(), message: z.string() }),
]);

/** For probes written in TypeScript (pulse proxy): the hub's answer, or null for anything else. */
export function decodeIngestAnswer(text: string): IngestAnswer | null {
  try {
    const parsed = answerSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as IngestAnswer) : null;
  } catch {
    return null;
  }
}
