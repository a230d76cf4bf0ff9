/**
 * The alerts' REST calls beyond `GET /api/alerts` (docs/api.md, docs/alerts.md): silences made,
 * listed and lifted through the API, and an alert episode's webhook delivery log. The hub
 * validates bodies and types its answers with these; the SPA decodes with them.
 *
 * Ids, names and reasons are data, never markup.
 */
import { z } from 'zod';

/** Ids of rules, restaurants and tags, as the alerts file spells them. */
const name = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'ids are 1–64 of A–Z a–z 0–9 . _ : -');

/** An instant: ms since 1970 or ISO 8601 with an offset ("2026-12-24T18:00:00+01:00"). */
const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : /(Z|[+-]\d\d:?\d\d)$/i.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a time (ms since 1970, or ISO 8601 with an offset)` });
    return z.NEVER;
  }
  return t;
});

/** Longest a silence made through the API may hold: past that, fix the rule or edit the file. */
export const maxSilenceMs = 90 * 86_400_000;

/**
 * `POST /api/silences`. Who silences comes from the token, never from the body: a body naming
 * `by` is refused (nothing sent is dropped unsaid).
 */
export const silenceRequestSchema = z
  .object({
    rule: name.optional(),
    restaurant: name.optional(),
    tag: name.optional(),
    /** Default: now. */
    from: instant.optional(),
    until: instant,
    why: z.string().trim().min(1, 'say why (a reason is required)').max(500),
  })
  .strict()
  .refine((s) => s.rule !== undefined || s.restaurant !== undefined || s.tag !== undefined, { message: 'a silence names a rule, a restaurant or a tag (or several)' });
export type SilenceRequest = z.input<typeof silenceRequestSchema>;

/** A silence as the API shows it: from the API (`id` to lift it by) or from the alerts file (`id` null). */
export const silenceWireSchema = z.object({
  id: z.string().nullable(),
  source: z.enum(['api', 'file']),
  rule: z.string().nullable(),
  restaurant: z.string().nullable(),
  tag: z.string().nullable(),
  from: z.number().nullable(),
  until: z.number(),
  by: z.string(),
  why: z.string(),
  createdAt: z.number().nullable(),
});
export type SilenceWire = z.infer<typeof silenceWireSchema>;

/** `GET /api/silences`: silences in force or still to come, cut to the caller's scope; soonest to end first. */
export const silencesAnswerSchema = z.object({ t: z.number(), silences: z.array(silenceWireSchema) });
export type SilencesAnswer = z.infer<typeof silencesAnswerSchema>;

/** `POST /api/silences` answers the silence made; `DELETE /api/silences/:id` the one lifted. */
export const silenceAnswerSchema = z.object({ t: z.number(), silence: silenceWireSchema });
export type SilenceAnswer = z.infer<typeof silenceAnswerSchema>;

export const deliveryStates = ['queued', 'retrying', 'delivered', 'failed', 'dropped'] as const;

/** One webhook delivery of an episode: every attempt, its HTTP status (null: no answer), and when the next one is due. */
export const deliveryWireSchema = z.object({
  id: z.string(),
  /** The webhook's id from the alerts file (never its URL, which may carry a token). */
  webhook: z.string(),
  status: z.enum(['firing', 'resolved']),
  state: z.enum(deliveryStates),
  attempts: z.array(z.object({ at: z.number(), httpStatus: z.number().nullable(), outcome: z.string() })),
  /** While retrying: when the next attempt is due. */
  nextAttemptAt: z.number().nullable(),
});
export type DeliveryWire = z.infer<typeof deliveryWireSchema>;

/** `GET /api/alerts/:id/deliveries` (`:id` the episode's id, URL-encoded). Oldest first. */
export const deliveriesAnswerSchema = z.object({ t: z.number(), episode: z.string(), deliveries: z.array(deliveryWireSchema) });
export type DeliveriesAnswer = z.infer<typeof deliveriesAnswerSchema>;
