/**
 * Alerts on the wire (docs/alerts.md): the figures a rule can watch, the webhook body Pulse POSTs,
 * and the `GET /api/alerts` answer. The hub builds both from these schemas and a receiver (or the
 * SPA) can decode with them; nothing else writes these shapes.
 *
 * Ids and names come from the alerts file and terminals' restaurants: data, never markup.
 */
import { z } from 'zod';

/**
 * What a rule can watch. Per restaurant: heartbeat success (share, 0–1), RTT p95 (ms), reconnects
 * per minute, offline (1 when terminals are expected and none is connected). Fleet-wide: refused
 * tokens (4001) per minute — their claims are unverified, so they never count toward a restaurant;
 * a gateway lost (1 per gateway presumed dead); Pulse's own store failing (1 while writes fail).
 */
export const alertMetrics = ['heartbeat_success', 'rtt_p95_ms', 'reconnects_per_min', 'offline', 'auth_failures_per_min', 'gateway_lost', 'store_failing'] as const;
export type AlertMetric = (typeof alertMetrics)[number];

export const restaurantMetrics: readonly AlertMetric[] = ['heartbeat_success', 'rtt_p95_ms', 'reconnects_per_min', 'offline'];
/** 0/1 figures: their rule needs no threshold (fires at 1, clears at 0). */
export const booleanMetrics: readonly AlertMetric[] = ['offline', 'gateway_lost', 'store_failing'];
/** A low value is the bad one (fires below the threshold); every other metric fires above. */
export const metricFiresBelow = (m: AlertMetric): boolean => m === 'heartbeat_success';

export const alertSeverities = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

/** What an alert is about: a restaurant, a gateway, or the fleet (Pulse itself). */
export const alertSubjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('restaurant'), rid: z.string() }),
  z.object({ kind: z.literal('gateway'), gw: z.string() }),
  z.object({ kind: z.literal('fleet') }),
]);
export type AlertSubject = z.infer<typeof alertSubjectSchema>;

/**
 * Why a firing alert ended: its figure recovered; the restaurant closed (outside its opening
 * hours); someone silenced it; its rule was removed from the alerts file.
 */
export const alertEndReasons = ['recovered', 'closed', 'silenced', 'rule_removed'] as const;
export type AlertEndReason = (typeof alertEndReasons)[number];

/** One firing episode: from `firing` to `resolved`. `id` is stable for the episode. */
export const alertEpisodeSchema = z.object({
  id: z.string(),
  rule: z.string(),
  name: z.string(),
  severity: z.enum(alertSeverities),
  metric: z.enum(alertMetrics),
  subject: alertSubjectSchema,
  /** The threshold that fired it and the one that clears it (hysteresis). */
  fire: z.number(),
  clear: z.number(),
  forMs: z.number(),
  /** The figure when it fired, its worst value while firing, and the last one seen. */
  valueAtFire: z.number().nullable(),
  worst: z.number().nullable(),
  value: z.number().nullable(),
  firedAt: z.number(),
  resolvedAt: z.number().nullable(),
  endedBy: z.enum(alertEndReasons).nullable(),
});
export type AlertEpisode = z.infer<typeof alertEpisodeSchema>;

export const webhookHeaders = {
  /** `sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
  signature: 'x-pulse-signature',
  /** Unique per delivery (a retry keeps it): receivers can drop a repeat. */
  delivery: 'x-pulse-delivery',
} as const;

/** The body of every webhook POST (`content-type: application/json`). */
export const webhookBodySchema = z.object({
  version: z.literal(1),
  status: z.enum(['firing', 'resolved']),
  alert: alertEpisodeSchema,
  /** The restaurant's page in the dashboard at the moment (null for a gateway or fleet alert). */
  link: z.string().nullable(),
  hub: z.string(),
  sentAt: z.number(),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

/** A rule's live state for one subject (the rule's view; `closed` and `silenced` are held). */
export const alertPhases = ['pending', 'firing', 'resolved', 'closed', 'silenced'] as const;
export type AlertPhaseWire = (typeof alertPhases)[number];

export const alertStatusSchema = z.object({
  rule: z.string(),
  name: z.string(),
  severity: z.enum(alertSeverities),
  metric: z.enum(alertMetrics),
  subject: alertSubjectSchema,
  phase: z.enum(alertPhases),
  /** When this phase began. */
  since: z.number(),
  value: z.number().nullable(),
  /** The firing episode's id while firing. */
  episode: z.string().nullable(),
});
export type AlertStatus = z.infer<typeof alertStatusSchema>;

/** `GET /api/alerts`: live alert states and recent episodes, cut to the caller's scope. */
export const alertsAnswerSchema = z.object({
  t: z.number(),
  /** Firing alerts now (the header's count). */
  firing: z.number(),
  active: z.array(alertStatusSchema),
  history: z.array(alertEpisodeSchema),
  rules: z.array(z.object({ id: z.string(), name: z.string(), severity: z.enum(alertSeverities), metric: z.enum(alertMetrics), fire: z.number(), clear: z.number(), forMs: z.number() })),
});
export type AlertsAnswer = z.infer<typeof alertsAnswerSchema>;
