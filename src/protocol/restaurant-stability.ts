/**
 * `GET /api/restaurants/:rid/stability?period=30d` (docs/api.md, docs/stability.md): one
 * restaurant's stability tab — stability per local day, disconnects by close code per day, and the
 * weekday × hour grid of its week with the worst hours. Computed by src/core/stability
 * (restaurant-history.ts) and decoded by the SPA with this schema. Bounded: at most 90 days, 168
 * cells, six close codes (the rest summed as `other`).
 */
import { z } from 'zod';

export const restaurantStabilityPeriods = ['7d', '30d', '90d'] as const;
export type RestaurantStabilityPeriod = (typeof restaurantStabilityPeriods)[number];

const share = z.number().min(0).max(1);
const nonNegative = z.number().nonnegative();
const code = z.string().max(16);

export const historyDaySchema = z.object({
  /** Local date in the restaurant's zone. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  from: z.number(),
  to: z.number(),
  /** Healthy ÷ expected terminal-time of the day's counted minutes; null = nothing expected. */
  stability: share.nullable(),
  healthyMs: nonNegative,
  expectedMs: nonNegative,
  /** Open time by the calendar; 0 = closed all day (shaded). */
  openMs: nonNegative,
  closes: z.record(code, nonNegative),
});
export type HistoryDayWire = z.infer<typeof historyDaySchema>;

export const hourCellSchema = z.object({
  /** 0 = Monday … 6 = Sunday, in the restaurant's zone. */
  weekday: z.number().int().min(0).max(6),
  hour: z.number().int().min(0).max(23),
  stability: share.nullable(),
  healthyMs: nonNegative,
  expectedMs: nonNegative,
  /** Minutes of the period in this weekday-hour, and how many were open (0 of many = closed, shaded). */
  minutes: nonNegative,
  openMinutes: nonNegative,
});
export type HourCellWire = z.infer<typeof hourCellSchema>;

export const restaurantStabilityAnswerSchema = z.object({
  t: z.number(),
  rid: z.string().min(1),
  /** The directory's display name (the id without an entry); data, never markup. */
  name: z.string(),
  tags: z.array(z.string()),
  period: z.enum(restaurantStabilityPeriods),
  from: z.number(),
  to: z.number(),
  /** The zone days and hours are in (UTC without one in the restaurants file). */
  timezone: z.string(),
  withHours: z.boolean(),
  /** Whole period, the same counting: healthy ÷ expected of the counted minutes. */
  stability: share.nullable(),
  days: z.array(historyDaySchema).max(91),
  /** 7 × 24, Monday 00:00 first. */
  week: z.array(hourCellSchema).length(168),
  worstHours: z.array(z.object({ weekday: z.number().int().min(0).max(6), hour: z.number().int().min(0).max(23), stability: share })).max(24),
  /** Close codes present, commonest first (`other` last when rare codes were merged). */
  codes: z.array(code).max(6),
});
export type RestaurantStabilityAnswer = z.infer<typeof restaurantStabilityAnswerSchema>;
