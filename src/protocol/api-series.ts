/**
 * A point of the REST series (`GET /api/restaurants/:rid/series`, `GET /api/fleet/series`;
 * docs/api.md): one bucket of restaurant-minute rollups with core's figures and the raw counts they
 * are made of. The hub builds it (server/hub/api/series-points.ts) and the SPA decodes it with this
 * schema, so a renamed field fails on both sides at once.
 */
import { z } from 'zod';
import { gaugeSchema } from './telemetry.ts';

const count = z.number().int().nonnegative();
const rate = z.number().nonnegative();
const share = z.number().min(0).max(1);
/** Counts by key (close code, error type, limit kind). */
const countsByKey = z.record(z.string(), count);

/** Null when there were no samples: "no data" must not read as 0 ms. */
const percentilesSchema = z.object({ p50: rate, p95: rate, p99: rate });
const durationFiguresSchema = z.object({ mean: rate, p50: rate, p95: rate });

export const seriesPointSchema = z.object({
  /** Bucket start, ms since epoch. */
  t: z.number(),
  /** Minutes of the bucket that hold data (a partial bucket, or a hub that was down, has fewer). */
  minutes: count,
  /** `{ last, min, max }` of the connections gauge over the bucket. */
  connections: gaugeSchema.nullable(),
  expected: count.nullable(),
  opens: count,
  reconnects: count,
  reconnectsPerMin: rate,
  /** Closes by WebSocket close code. */
  closes: countsByKey,
  errors: countsByKey,
  errorsPerMin: rate,
  limits: countsByKey,
  heartbeatsOnTime: count,
  heartbeatsLate: count,
  heartbeatSuccess: share.nullable(),
  rttMs: percentilesSchema.nullable(),
  deliveryMs: percentilesSchema.nullable(),
  /** Of the connections closed in the bucket; null when none closed. */
  durationMs: durationFiguresSchema.nullable(),
  stability: share.nullable(),
  connectedMs: rate,
  healthyMs: rate,
  expectedMs: rate,
  msgIn: count,
  msgOut: count,
  bytesIn: count,
  bytesOut: count,
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;

const seriesWindow = {
  from: z.number(),
  to: z.number(),
  /** The bucket size the hub chose so the series holds ≤ 500 points. */
  bucketMs: z.number().int().positive(),
  /** Buckets with data, oldest first; a gap in `t` is a gap in data, not zeros. */
  points: z.array(seriesPointSchema),
  /** The whole window merged (e.g. the stability of the week). */
  total: seriesPointSchema,
};

export const restaurantSeriesAnswerSchema = z.object({ rid: z.string().min(1), ...seriesWindow });
export type RestaurantSeriesAnswer = z.infer<typeof restaurantSeriesAnswerSchema>;

export const fleetSeriesAnswerSchema = z.object({
  ...seriesWindow,
  /** Restaurants in scope with data in the window. */
  restaurants: count,
});
export type FleetSeriesAnswer = z.infer<typeof fleetSeriesAnswerSchema>;
