/**
 * The dashboard stream `/live`: the one contract the hub and the SPA share.
 *
 * Handshake
 * 1. The viewer opens `ws://HOST/live` with subprotocols `[liveSubprotocol, 'bearer.<jwt>']`. The
 *    hub answers `liveSubprotocol`, never the bearer entry (that would echo the token in a response
 *    header). Offering the marker is required: browsers fail a handshake whose offered protocols
 *    get no answer, and the token must not be the answer.
 * 2. A bad, missing or expired token: the upgrade is accepted, then closed 4001 "Invalid token"
 *    (a 401 would reach a browser as a reasonless 1006). An `Origin` outside the allowlist: closed
 *    4003 "Origin not allowed". Nothing else is sent first. No `Origin` (non-browser) is allowed.
 * 3. Fresh viewer: `snapshot` at the hub's current seq S, then one `delta` per tick: S+1, S+2, …
 *    Every tick sends every viewer one delta, even an empty one, so a viewer's seqs are contiguous.
 * 4. Reconnecting viewer: it puts its position in the URL, `/live?since=<epoch>.<seq>` (see
 *    `formatSince`; nothing secret). Deciding at upgrade time spares a snapshot that would be thrown
 *    away and needs no "wait for the first message" timer. If the epoch is this hub's and the
 *    history still holds every delta after `seq`, the hub replays them in order, each exactly once,
 *    with their original seqs, then continues live. Otherwise the first frame is a fresh `snapshot`
 *    and the viewer replaces its state. The first frame's type tells the two cases apart.
 * 5. A `resume` message on an open connection gets the same answer (replay or snapshot); replayed
 *    deltas the viewer already holds have seq ≤ its position and must be dropped.
 *
 * 6. Interest (optional, see `summaryFigureFields`): a viewer may say which restaurants it looks
 *    at; it then gets full-rate patches for those and a compact summary for the rest.
 *
 * Positions: only `snapshot` and `delta` move a viewer's position. `figures`, `terminal_events`,
 * `pong` and `error` carry the position they follow, so a viewer can order them, but they never advance it.
 * A delta with seq > position + 1 is a gap (the hub never sends one on a live connection): resync.
 *
 * Terminal-provided strings (ids, close reasons, details) are data, never markup.
 */
import { z } from 'zod';
import { authFailReasons, limitKinds } from './probe-events.ts';
import { closeCauses } from './close-codes.ts';
import { errorCodes, type ErrorCode } from './errors.ts';
import { decodeWith, type Decoded } from './codec.ts';
import { errorTypes } from './telemetry.ts';

export const livePath = '/live';
/**
 * Offered alongside `bearer.<jwt>` and echoed by the hub; the version of this contract. v2: delta
 * restaurants are patches (only the fields that changed) and rolling figures are refreshed on a
 * period rather than on every tick (see `deltaFrameSchema`).
 */
export const liveSubprotocol = 'pulse.live.v2';

const id = z.string().min(1).max(64);
const shortText = z.string().max(200);
const count = z.number().int().nonnegative();
const rate = z.number().nonnegative();
const share = z.number().min(0).max(1);

/**
 * A restaurant's status (the rule is `statusOf` in src/core/figures.ts): `offline` = terminals
 * expected and none connected, the worst case; `unknown` = nothing expected, nothing to judge by.
 * A terminal's health (REST, src/protocol/api.ts) uses the same words: from the age of its last
 * heartbeat while connected, and `offline` when it has no connection — its own value, not
 * `unhealthy`, which means connected but silent (issue 18). The stream carries no terminal health.
 */
export const healthStatuses = ['healthy', 'degraded', 'unhealthy', 'offline', 'unknown'] as const;
export type HealthStatus = (typeof healthStatuses)[number];

/** Null when there were no samples: "no data" must not read as 0 ms. */
const percentilesSchema = z.object({ p50: rate, p95: rate, p99: rate }).nullable();
/** Counts over the figures' window, by the "errors by type" of telemetry.ts; types with none may be left out. */
const errorCountsSchema = z.partialRecord(z.enum(errorTypes), count);

/**
 * The figures a restaurant and the fleet totals both carry (core's `WindowFigures`, those the SPA
 * reads): written once, so the two shapes, the delta's field lists and the hub's copy of them
 * (server/hub/hub-fleet.ts) cannot drift apart. Counts first, then the rolling figures.
 */
const figureCountShape = {
  connections: count,
  /** Terminals seen in the last 7 days: "12 / 14 connected". */
  expected: count,
};
const rollingFigureShape = {
  reconnectsPerMin: rate,
  /** On-time heartbeats / expected heartbeats; null when none were expected. */
  heartbeatSuccess: share.nullable(),
  rttMs: percentilesSchema,
  deliveryMs: percentilesSchema,
  errors: errorCountsSchema,
  errorsPerMin: rate,
  /** Share of expected terminal-time connected and healthy; null when nothing was expected. */
  stability: share.nullable(),
};
const sharedFigureShape = { ...figureCountShape, ...rollingFigureShape };
const keysOf = <T extends object>(shape: T) => Object.keys(shape) as (keyof T)[];

/** The fields both figure shapes carry, in wire order: what the hub copies from core's figures as they are. */
export const sharedFigureFields: readonly (keyof typeof sharedFigureShape)[] = keysOf(sharedFigureShape);

/** One restaurant's figures, as `core/figures.ts` defines them, in the shape the SPA reads. */
export const restaurantFiguresWireSchema = z.object({ rid: id, status: z.enum(healthStatuses), ...sharedFigureShape });
export type RestaurantFiguresWire = z.infer<typeof restaurantFiguresWireSchema>;

/**
 * A restaurant in a delta: `rid` and the fields that changed since it was last sent. A field left
 * out is unchanged; `null` is a value ("no samples"). A restaurant new to the stream comes whole.
 */
export const restaurantPatchWireSchema = restaurantFiguresWireSchema.partial().extend({ rid: id });
export type RestaurantPatchWire = z.infer<typeof restaurantPatchWireSchema>;

/**
 * The fields whose change goes out in the next delta: what decides a restaurant's colour and its
 * "12 / 14 connected". The others are rolling figures over a window (rates, shares, percentiles):
 * they move with every sample, so the hub sends them with the next urgent change or once the
 * restaurant's refresh period is up, whichever comes first — re-sending 2,000 restaurants' RTTs every second is most of a stream's bytes
 * and tells a support agent nothing a 30 s old figure would not.
 */
export const urgentFigureFields: readonly ('status' | keyof typeof figureCountShape)[] = ['status', ...keysOf(figureCountShape)];
export const rollingFigureFields: readonly (keyof typeof rollingFigureShape)[] = keysOf(rollingFigureShape);

/** Totals over a viewer's scope (for a manager: their restaurants only). */
export const fleetTotalsWireSchema = z.object({
  restaurants: count,
  byStatus: z.object({ healthy: count, degraded: count, unhealthy: count, offline: count, unknown: count }),
  ...sharedFigureShape,
});
export type FleetTotalsWire = z.infer<typeof fleetTotalsWireSchema>;

// ---- lifecycle events (the event feed and the terminal stream) -----------------------------
// The probe's lifecycle events (telemetry.ts) as viewers get them: numbered by the hub, strings
// bounded, and nothing beyond these fields.

/** `id` is unique and increasing within an epoch, so a feed can drop an entry it already shows. */
const eventBase = { id: count, gw: shortText, t: z.number() };
const who = { rid: id, tid: id, conn: shortText };

export const liveEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), ...eventBase, ...who }),
  z.object({
    type: z.literal('close'),
    ...eventBase,
    ...who,
    code: z.number().int(),
    cause: z.enum(closeCauses),
    reason: shortText,
    byServer: z.boolean(),
    durationMs: rate,
  }),
  /** rid/tid are unverified claims of a refused token; absent when the token was unreadable. */
  z.object({ type: z.literal('auth_fail'), ...eventBase, reason: z.enum(authFailReasons), rid: id.optional(), tid: id.optional() }),
  z.object({ type: z.literal('limit'), ...eventBase, ...who, kind: z.enum(limitKinds), detail: shortText }),
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type LiveEventType = LiveEvent['type'];

// ---- hub → viewer --------------------------------------------------------------------------

const stamp = { epoch: id, seq: count };
const errorCodeNames = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

export const viewerScopeSchema = z.object({
  role: z.enum(['support', 'manager', 'engineer']),
  /** null: every restaurant. */
  restaurants: z.array(id).nullable(),
});
export type ViewerScope = z.infer<typeof viewerScopeSchema>;

export const snapshotFrameSchema = z.object({
  type: z.literal('snapshot'),
  ...stamp,
  /** Hub time of the tick this state belongs to (ms since epoch). */
  t: z.number(),
  tickMs: z.number().int().positive(),
  /** The longest a restaurant's rolling figures wait for a refresh while they are changing. */
  refreshMs: z.number().int().nonnegative(),
  /** How many deltas back a resume can reach. */
  historyFrames: count,
  scope: viewerScopeSchema,
  restaurants: z.array(restaurantFiguresWireSchema),
  totals: fleetTotalsWireSchema,
  /** Recent events in scope still in the hub's history, oldest first, to seed the feed. */
  events: z.array(liveEventSchema),
});

export const deltaFrameSchema = z.object({
  type: z.literal('delta'),
  ...stamp,
  t: z.number(),
  /**
   * Restaurants whose figures changed (or appeared) this tick, as patches: `urgentFigureFields`
   * the tick they change, rolling figures with the next urgent change or when the restaurant's
   * refresh period (`refreshMs`) is up, whichever comes first.
   */
  restaurants: z.array(restaurantPatchWireSchema),
  removed: z.array(id),
  totals: fleetTotalsWireSchema,
  /** New lifecycle events in scope, oldest first. */
  events: z.array(liveEventSchema),
  /** Events in scope left out of `events` to bound the frame (a mass outage); the REST timeline has them. */
  eventsOmitted: count,
  /** The refresh period now (it grows with the fleet). */
  refreshMs: z.number().int().nonnegative(),
});

export const terminalEventsFrameSchema = z.object({
  type: z.literal('terminal_events'),
  ...stamp,
  tid: id,
  /** Its restaurant (a terminal is (rid, tid)); absent only for an engineer's watch of an id the hub did not know yet. */
  rid: id.optional(),
  /** True on the answer to `watch_terminal`: the terminal's events still in the hub's history. */
  initial: z.boolean(),
  events: z.array(liveEventSchema),
});

export const livePongFrameSchema = z.object({ type: z.literal('pong'), ...stamp, id: count.optional(), t: z.number() });

export const liveErrorFrameSchema = z.object({
  type: z.literal('error'),
  ...stamp,
  code: z.enum(errorCodeNames),
  message: shortText,
  /** The terminal a refused `watch_terminal` named. */
  tid: id.optional(),
  rid: id.optional(),
  /** TERMINAL_AMBIGUOUS: the restaurants in the viewer's scope with a terminal of that id. */
  restaurants: z.array(id).optional(),
});

/**
 * The answer to `interest`: the current figures (fresh, not waiting for a refresh) of the
 * restaurants that came into the viewer's interest, whole. Like `terminal_events` it carries the
 * position it follows and does not advance it: the deltas after that position patch these.
 */
export const figuresFrameSchema = z.object({
  type: z.literal('figures'),
  ...stamp,
  restaurants: z.array(restaurantFiguresWireSchema),
});

export const liveFrameSchema = z.discriminatedUnion('type', [
  snapshotFrameSchema,
  deltaFrameSchema,
  figuresFrameSchema,
  terminalEventsFrameSchema,
  livePongFrameSchema,
  liveErrorFrameSchema,
]);
export type LiveFrame = z.infer<typeof liveFrameSchema>;
export type SnapshotFrame = z.infer<typeof snapshotFrameSchema>;
export type DeltaFrame = z.infer<typeof deltaFrameSchema>;
export type FiguresFrame = z.infer<typeof figuresFrameSchema>;
export type TerminalEventsFrame = z.infer<typeof terminalEventsFrameSchema>;
export type LivePongFrame = z.infer<typeof livePongFrameSchema>;
export type LiveErrorFrame = z.infer<typeof liveErrorFrameSchema>;

// ---- viewer → hub --------------------------------------------------------------------------

/** The most restaurants one `interest` may name: a screen of rows and those near it. */
export const maxInterestRids = 64;

/**
 * Interest-based streaming (issue 17). A viewer that never sends `interest` gets every
 * restaurant's patches as described at `deltaFrameSchema` (old clients keep working). Once it sends
 * one, its deltas carry:
 * - for the restaurants it names (the rows in and near view, the restaurant page open): every
 *   change of every field the tick it happens (full rate, no refresh period);
 * - for every other restaurant in scope: only `summaryFigureFields` — what the worst-first order,
 *   the status filter counts and the "N / M connected" of a row need — and nothing when none of
 *   those changed. Their other figures are not kept current: a viewer must not show them as live.
 * The hub answers each `interest` at once with a `figures` frame holding the current figures of
 * the restaurants new to it, so a row scrolled into view shows current figures within a round
 * trip. Names outside the viewer's scope, or unknown, are ignored alike (the answer must not tell
 * which ids exist). Totals and events are unaffected. The interest lasts for the connection: a
 * reconnecting viewer sends it again (its resume replays full deltas until then).
 */
export const summaryFigureFields = [...urgentFigureFields, 'errorsPerMin', 'reconnectsPerMin'] as const;

export const viewerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resume'), epoch: id, since: count }),
  z.object({ type: z.literal('interest'), rids: z.array(id).max(maxInterestRids) }),
  /**
   * A terminal is (rid, tid) (issue 18, item 3). Without `rid` the hub resolves the id in the
   * viewer's scope, and refuses TERMINAL_AMBIGUOUS when more than one restaurant has it.
   */
  z.object({ type: z.literal('watch_terminal'), tid: id, rid: id.optional() }),
  /** Without `rid`: every watch of that id. */
  z.object({ type: z.literal('unwatch_terminal'), tid: id, rid: id.optional() }),
  /** `id` is echoed by the pong so the viewer can measure its round trip. */
  z.object({ type: z.literal('ping'), id: count.optional() }),
]);
export type ViewerMessage = z.infer<typeof viewerMessageSchema>;

const liveFrameTypes = ['snapshot', 'delta', 'figures', 'terminal_events', 'pong', 'error'] as const;
const viewerMessageTypes = ['resume', 'interest', 'watch_terminal', 'unwatch_terminal', 'ping'] as const;

export function decodeLiveFrame(text: string): Decoded<LiveFrame> {
  return decodeWith(liveFrameSchema, text, liveFrameTypes);
}

export function decodeViewerMessage(text: string): Decoded<ViewerMessage> {
  return decodeWith(viewerMessageSchema, text, viewerMessageTypes);
}

// ---- stream positions ----------------------------------------------------------------------

export type StreamPosition = { epoch: string; seq: number };

/** The `since` query value of a reconnect: `<epoch>.<seq>`. */
export function formatSince(position: StreamPosition): string {
  return `${position.epoch}.${position.seq}`;
}

/** Parses a `since` query value; null when it is not one (the hub then sends a snapshot). */
export function parseSince(text: string | null | undefined): StreamPosition | null {
  if (!text) return null;
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return null;
  const epoch = text.slice(0, dot);
  const digits = text.slice(dot + 1);
  if (!/^\d{1,15}$/.test(digits) || !id.safeParse(epoch).success) return null;
  return { epoch, seq: Number(digits) };
}
