/**
 * `GET /api/stability` (docs/stability.md): the managers' stability review — the restaurants of
 * the caller's scope ranked worst first over a period, each against the period before. The hub
 * answers with `stabilityAnswerSchema` (server/stability/stability-api.ts), the SPA decodes with
 * it (web/features/stability), as for every answer of src/protocol/api.ts.
 *
 * Display names and tags come from the restaurants file: data, never markup.
 */
import { z } from 'zod';

const share = z.number().min(0).max(1);
const ms = z.number();
const nonNegative = z.number().nonnegative();
const percentiles = z.object({ p50: nonNegative, p95: nonNegative, p99: nonNegative }).nullable();

export const stabilityPeriodNames = ['24h', '7d', '30d', '90d'] as const;
export type StabilityPeriodName = (typeof stabilityPeriodNames)[number];

export const stabilityFiguresSchema = z.object({
  /** Healthy ÷ expected terminal-time, counted within opening hours when the restaurant has them. */
  stability: share.nullable(),
  terminalTime: z.object({ connectedMs: nonNegative, healthyMs: nonNegative, expectedMs: nonNegative }),
  /** Open time of the period by the restaurant's calendar (all of it without hours), ms. */
  openMs: nonNegative,
  /** Stored minutes counted. */
  minutes: nonNegative,
  reconnects: nonNegative,
  reconnectsPerOpenHour: nonNegative.nullable(),
  heartbeatSuccess: share.nullable(),
  durationMs: z.object({ mean: nonNegative, p50: nonNegative, p95: nonNegative }).nullable(),
  rttMs: percentiles,
  deliveryMs: percentiles,
  /** Closes by WebSocket close code. */
  disconnects: z.record(z.string(), nonNegative),
});
export type StabilityFiguresWire = z.infer<typeof stabilityFiguresSchema>;

export const stabilityChangeSchema = z.object({
  /** Current − previous share (0.05 = 5 points); null when either side has no figure. */
  stability: z.number().nullable(),
  reconnectsPerOpenHour: z.number().nullable(),
  heartbeatSuccess: z.number().nullable(),
});

const periodSchema = z.object({ from: ms, to: ms });

export const restaurantStabilitySchema = z.object({
  rid: z.string().min(1).max(64),
  name: z.string(),
  tags: z.array(z.string()),
  withHours: z.boolean(),
  current: stabilityFiguresSchema,
  previous: stabilityFiguresSchema,
  change: stabilityChangeSchema,
  /** Stability per 24 h slice of the current period, from its start; null = nothing expected. */
  daily: z.array(share.nullable()),
});
export type RestaurantStabilityWire = z.infer<typeof restaurantStabilitySchema>;

export const stabilityAnswerSchema = z.object({
  t: ms,
  /** The period asked for (`custom` when given as from/to). */
  period: z.enum([...stabilityPeriodNames, 'custom']),
  current: periodSchema,
  previous: periodSchema,
  /** The tag the list was cut to, if any. */
  tag: z.string().nullable(),
  /** Tags of the restaurants in the caller's scope, for the filter. */
  tags: z.array(z.string()),
  /** Worst first. */
  restaurants: z.array(restaurantStabilitySchema),
  scope: z.object({ current: stabilityFiguresSchema, previous: stabilityFiguresSchema, change: stabilityChangeSchema }),
});
export type StabilityAnswer = z.infer<typeof stabilityAnswerSchema>;
