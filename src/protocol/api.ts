/**
 * The REST API under `/api` (fields and units: docs/api.md): the one contract of every answer and
 * refusal, as `live.ts` is for the stream. The hub's routes are typed against these schemas
 * (server/hub/api/api-routes.ts) and the SPA decodes every answer with them (web/lib/api-client.ts),
 * so a field renamed on one side fails a typecheck or a decode — never a blank page.
 *
 * Terminal-provided strings (ids, close reasons) are data, never markup.
 */
import { z } from 'zod';
import { closeCauses } from './close-codes.ts';
import { directoryFieldProblemSchema } from './directory.ts';
import { errorCodes, PulseError, type ErrorCode } from './errors.ts';
import { fleetTotalsWireSchema, healthStatuses, restaurantFiguresWireSchema, viewerScopeSchema } from './live.ts';
import { lifecycleEventSchema } from './telemetry.ts';

export { fleetSeriesAnswerSchema, restaurantSeriesAnswerSchema, seriesPointSchema } from './api-series.ts';
export type { FleetSeriesAnswer, RestaurantSeriesAnswer, SeriesPoint } from './api-series.ts';

const id = z.string().min(1).max(64);
const ms = z.number();
const positiveMs = z.number().positive();

/** `GET /api/me`: who the token says the caller is. */
export const meAnswerSchema = z.object({
  sub: z.string(),
  role: viewerScopeSchema.shape.role,
  /** The manager's restaurants; null for roles that see every restaurant. */
  restaurants: viewerScopeSchema.shape.restaurants,
  expiresAt: ms,
});
export type MeAnswer = z.infer<typeof meAnswerSchema>;

/**
 * Refused tokens (4001) fleet-wide: counted in no restaurant whatever their unverified claims name
 * (issue 18, item 9). `perMin`: the last whole minute; `sinceStart`: since this hub started.
 */
export const refusedTokensWireSchema = z.object({ perMin: z.number().int().nonnegative(), sinceStart: z.number().int().nonnegative() });
export type RefusedTokensWire = z.infer<typeof refusedTokensWireSchema>;

/**
 * `GET /api/fleet`: totals over the caller's scope at hub time `t`. `refusedTokens` only for
 * viewers who see the whole fleet: a refused token is no restaurant's, so a manager's totals never
 * hold it.
 */
export const fleetAnswerSchema = z.object({ t: ms, totals: fleetTotalsWireSchema.extend({ refusedTokens: refusedTokensWireSchema.optional() }) });
export type FleetAnswer = z.infer<typeof fleetAnswerSchema>;

/** `GET /api/restaurants`: every restaurant in scope the hub knows, ordered by `rid`. */
export const restaurantsAnswerSchema = z.object({ t: ms, restaurants: z.array(restaurantFiguresWireSchema) });
export type RestaurantsAnswer = z.infer<typeof restaurantsAnswerSchema>;

/** One terminal of a restaurant, as the hub's live state knows it. */
export const terminalWireSchema = z.object({
  tid: id,
  rid: id,
  state: z.enum(['connected', 'disconnected']),
  /** From the age of its last heartbeat while connected; `offline` when it has no connection (issue 18). */
  health: z.enum(healthStatuses),
  /** When the current connection opened; null when disconnected. */
  connectedSince: ms.nullable(),
  /** When the last connection closed; null while connected or when never seen closing. */
  disconnectedAt: ms.nullable(),
  /** When its last heartbeat arrived at the gateway; null when none yet. */
  lastHeartbeatAt: ms.nullable(),
  /** The RTT the terminal reported with its last heartbeat, ms; null when it has not sent one. */
  rttMs: z.number().nonnegative().nullable(),
  /** How its last connection ended; null when this hub has not seen one end. */
  lastClose: z.object({ t: ms, code: z.number().int(), cause: z.enum(closeCauses), reason: z.string() }).nullable(),
});
export type TerminalWire = z.infer<typeof terminalWireSchema>;

/** `GET /api/restaurants/:rid`: the restaurant's figures and its terminals (connected or expected). */
export const restaurantAnswerSchema = z.object({ t: ms, restaurant: restaurantFiguresWireSchema, terminals: z.array(terminalWireSchema) });
export type RestaurantAnswer = z.infer<typeof restaurantAnswerSchema>;

/** The rules the fleet's terminals follow, stated with their events (core/timeline/timeline-policy.ts). */
export const timelinePolicyWireSchema = z.object({
  heartbeatIntervalMs: positiveMs,
  /** Zero grace is a valid gateway configuration. */
  graceMs: z.number().nonnegative(),
  stableAfterMs: positiveMs,
  backoffBaseMs: positiveMs,
  backoffCapMs: positiveMs,
});
export type TimelinePolicyWire = z.infer<typeof timelinePolicyWireSchema>;

/**
 * `GET /api/restaurants/:rid/terminals/:tid/events` (and the old `/api/terminals/:tid/events`
 * while the id is one restaurant's): one page of a terminal's lifecycle events, oldest first.
 */
export const eventsPageAnswerSchema = z.object({
  tid: id,
  rid: id,
  from: ms,
  to: ms,
  events: z.array(lifecycleEventSchema),
  /** The window holds more events than were returned: ask again from the last one's `t`. */
  more: z.boolean(),
  policy: timelinePolicyWireSchema,
  /**
   * Present (true) for viewers who see the whole fleet: `events` also holds the refused tokens
   * (`auth_fail`, no rid/tid) whose unverified `claimedTid`/`claimedRid` name this terminal — labels
   * no signature vouched for, so a manager never gets them (issue 18, item 9).
   */
  unverifiedClaims: z.literal(true).optional(),
});
export type EventsPageAnswer = z.infer<typeof eventsPageAnswerSchema>;

const errorCodeNames = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

/**
 * Every refusal: a stable `code` of errors.ts (switch on it, not on `message`). TERMINAL_AMBIGUOUS
 * also lists the `restaurants` (in the viewer's scope) that have a terminal of the id asked for.
 */
export const apiErrorBodySchema = z.object({
  error: z.object({ code: z.enum(errorCodeNames), message: z.string(), restaurants: z.array(id).optional(), problems: z.array(directoryFieldProblemSchema).optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

/**
 * Checks a parsed JSON answer against its schema: the value, or INVALID_MESSAGE with `detail`
 * naming the first field that is wrong (`terminals.0.rttMs: …`), so the page can say what is
 * wrong, not go blank.
 */
export function decodeAnswer<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; value: T } | { ok: false; error: PulseError; detail: string } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const detail = (issue ? `${issue.path.join('.') || 'answer'}: ${issue.message}` : 'invalid').slice(0, 160);
  return { ok: false, error: new PulseError('INVALID_MESSAGE', detail), detail };
}
