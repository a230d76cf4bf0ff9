/**
 * The alerts file read into what the hub runs: core's rules, a restaurant directory, silences and
 * webhooks. A problem never throws: the answer lists every one with where it is, so the watcher
 * can keep the last good rules and log exactly why the new ones were refused.
 */
import { readFile } from 'node:fs/promises';
import type { AlertSeverity } from '../../protocol/alerts.ts';
import type { AlertRule, RestaurantDirectory, Silence } from '../../core/alerts/alert-rule.ts';
import { isOpenAt, type WeeklyHours } from '../../core/alerts/opening-hours.ts';
import { alertsFileSchema } from './alerts-file-schema.ts';

export interface WebhookTarget {
  id: string;
  url: string;
  /** The HMAC-SHA256 key. Never logged. */
  secret: string;
  scope: { restaurants?: readonly string[]; tags?: readonly string[] };
  minSeverity: AlertSeverity;
}

export interface AlertsConfig {
  rules: AlertRule[];
  directory: RestaurantDirectory;
  silences: Silence[];
  webhooks: WebhookTarget[];
  publicUrl?: string;
}

export type ConfigProblem = { path: string; message: string };
export type ConfigResult = { ok: true; config: AlertsConfig } | { ok: false; problems: ConfigProblem[] };

/** `rules[2].clear` from zod's `['rules', 2, 'clear']`. */
function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(file)';
}

/** Line and column of a JSON syntax error, from the position V8 reports. */
function syntaxProblem(text: string, error: unknown): ConfigProblem {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return { path: '(file)', message: `not JSON: ${message}` };
  const before = text.slice(0, Number(pos[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return { path: `line ${line}, column ${column}`, message: `not JSON: ${message}` };
}

export function parseAlertsConfig(text: string, env: Readonly<Record<string, string | undefined>> = process.env): ConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [syntaxProblem(text, error)] };
  }
  const parsed = alertsFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })) };
  const f = parsed.data;
  const problems: ConfigProblem[] = [];
  const webhooks: WebhookTarget[] = [];
  f.webhooks.forEach((w, i) => {
    const secret = w.secret ?? (w.secretEnv !== undefined ? env[w.secretEnv] : undefined);
    // The variable's name is safe to report; its value never is.
    if (secret === undefined || secret.length < 16) problems.push({ path: `webhooks[${i}].secretEnv`, message: `environment variable ${w.secretEnv} is unset or shorter than 16 characters` });
    else webhooks.push({ id: w.id, url: w.url, secret, scope: w.scope, minSeverity: w.minSeverity });
  });
  if (problems.length > 0) return { ok: false, problems };
  const rules: AlertRule[] = f.rules.map((r) => ({
    id: r.id,
    name: r.name ?? r.id,
    metric: r.metric,
    severity: r.severity,
    // 0/1 figures fire above 0 and clear at 0.
    fire: r.fire ?? 0,
    clear: r.clear ?? 0,
    forMs: r.for,
    clearForMs: r.clearFor,
    scope: r.scope,
    ...(r.hours ? { hours: r.hours as WeeklyHours } : {}),
  }));
  const restaurants = f.restaurants;
  const directory: RestaurantDirectory = {
    tagsOf: (rid) => restaurants[rid]?.tags ?? [],
    isOpen: (rid, t) => isOpenAt(restaurants[rid]?.hours as WeeklyHours | undefined, t),
  };
  const silences: Silence[] = f.silences.map((s) => ({
    ...(s.rule !== undefined ? { rule: s.rule } : {}),
    ...(s.restaurant !== undefined ? { rid: s.restaurant } : {}),
    ...(s.tag !== undefined ? { tag: s.tag } : {}),
    ...(s.from !== undefined ? { from: s.from } : {}),
    until: s.until,
    by: s.by,
    why: s.why,
  }));
  return { ok: true, config: { rules, directory, silences, webhooks, ...(f.publicUrl ? { publicUrl: f.publicUrl } : {}) } };
}

export async function loadAlertsConfig(path: string, env?: Readonly<Record<string, string | undefined>>): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }] };
  }
  return parseAlertsConfig(text, env);
}

/** One line per problem, for logs and for the CLI refusing to start. */
export function describeProblems(file: string, problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n');
}
