/**
 * The alerts file (`--alerts-file`, docs/alerts.md): rules, restaurants' tags and opening hours
 * (until the restaurant directory holds them), silences and webhooks. JSON — no YAML parser is a
 * dependency, and one more parser for one file is not worth its weight.
 *
 * Validated with zod into core's model (src/core/alerts); every problem is reported with its path
 * (`rules[2].clear`) so a bad edit says where it is.
 */
import { z } from 'zod';
import { alertMetrics, alertSeverities, booleanMetrics, metricFiresBelow, restaurantMetrics } from '../../protocol/alerts.ts';
import { isKnownTimezone, minutesOf, weekdays } from '../../core/alerts/opening-hours.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90000`, `"90s"`, `"1.5m"`, `"2h"` → ms. */
const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 90000, "30s", "2m", "1h")` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
});

const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a time (ISO 8601 with an offset, e.g. "2026-12-24T18:00:00+01:00", or ms since 1970)` });
    return z.NEVER;
  }
  return t;
});

const hhmm = z.string().refine((v) => minutesOf(v) !== null, { message: 'a time of day is "HH:MM" (00:00–24:00)' });

const hoursSchema = z.object({
  timezone: z.string().refine(isKnownTimezone, { message: 'not an IANA time zone (e.g. "Europe/Paris")' }),
  days: z.partialRecord(z.enum(weekdays), z.array(z.tuple([hhmm, hhmm]))),
}).strict();

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'ids are 1–64 of A–Z a–z 0–9 . _ : -');
const scopeSchema = z.object({ restaurants: z.array(z.string().min(1)).optional(), tags: z.array(z.string().min(1)).optional() }).strict();

const ruleSchema = z
  .object({
    id,
    name: z.string().min(1).max(200).optional(),
    metric: z.enum(alertMetrics),
    severity: z.enum(alertSeverities).default('warning'),
    fire: z.number().optional(),
    clear: z.number().optional(),
    for: duration.default(0),
    clearFor: duration.default(0),
    scope: scopeSchema.default({}),
    hours: hoursSchema.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const boolean = booleanMetrics.includes(r.metric);
    if (boolean && (r.fire !== undefined || r.clear !== undefined)) ctx.addIssue({ code: 'custom', path: ['fire'], message: `${r.metric} is 0 or 1: it takes no fire/clear thresholds` });
    if (!boolean) {
      if (r.fire === undefined) ctx.addIssue({ code: 'custom', path: ['fire'], message: `${r.metric} needs a fire threshold` });
      if (r.clear === undefined) ctx.addIssue({ code: 'custom', path: ['clear'], message: `${r.metric} needs a clear threshold (hysteresis: a value hovering at "fire" must not flap)` });
      if (r.fire !== undefined && r.clear !== undefined) {
        const below = metricFiresBelow(r.metric);
        if (below ? r.clear < r.fire : r.clear > r.fire) ctx.addIssue({ code: 'custom', path: ['clear'], message: `${r.metric} fires ${below ? 'below' : 'above'} "fire", so "clear" must be ${below ? '≥' : '≤'} ${r.fire}` });
      }
    }
    const scoped = r.scope.restaurants !== undefined || r.scope.tags !== undefined;
    if (scoped && !restaurantMetrics.includes(r.metric)) ctx.addIssue({ code: 'custom', path: ['scope'], message: `${r.metric} is fleet-wide: it cannot be scoped to restaurants or tags` });
  });

const silenceSchema = z
  .object({
    rule: z.string().optional(),
    restaurant: z.string().optional(),
    tag: z.string().optional(),
    from: instant.optional(),
    until: instant,
    by: z.string().min(1),
    why: z.string().min(1),
  })
  .strict()
  .refine((s) => s.rule !== undefined || s.restaurant !== undefined || s.tag !== undefined, { message: 'a silence names a rule, a restaurant or a tag (or several)' });

const webhookSchema = z
  .object({
    id,
    url: z.url({ protocol: /^https?$/ }),
    /** The HMAC key itself, or the environment variable that holds it (keeps it out of the file). */
    secret: z.string().min(16).optional(),
    secretEnv: z.string().min(1).optional(),
    scope: scopeSchema.default({}),
    minSeverity: z.enum(alertSeverities).default('info'),
  })
  .strict()
  .refine((w) => (w.secret === undefined) !== (w.secretEnv === undefined), { message: 'a webhook has exactly one of "secret" (≥ 16 characters) or "secretEnv"' });

export const alertsFileSchema = z
  .object({
    $schema: z.string().optional(),
    /** Base of the dashboard links in webhook bodies (default: the hub's own URL). */
    publicUrl: z.url().optional(),
    rules: z.array(ruleSchema),
    restaurants: z.record(z.string(), z.object({ tags: z.array(z.string().min(1)).default([]), hours: hoursSchema.optional() }).strict()).default({}),
    silences: z.array(silenceSchema).default([]),
    webhooks: z.array(webhookSchema).default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const dup = (list: { id: string }[], key: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `duplicate id "${x.id}"` });
        seen.add(x.id);
      });
    };
    dup(f.rules, 'rules');
    dup(f.webhooks, 'webhooks');
  });

export type AlertsFile = z.infer<typeof alertsFileSchema>;
