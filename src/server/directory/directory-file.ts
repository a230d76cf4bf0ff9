/**
 * The restaurants file (`--restaurants-file`, docs/stability.md): the restaurant directory as JSON
 * — no YAML parser is a dependency, and the alerts file made the same choice. Validated with zod
 * into core's model (src/core/directory); a problem never throws: every one is listed with where
 * it is (`restaurants[3].hours.fri[0]`, or `line 12, column 5` for broken JSON), so the watcher
 * can keep the last good directory and log exactly why an edit was refused.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isKnownTimezone, minutesOf, weekdays, type WeeklyHours } from '../../core/alerts/opening-hours.ts';
import { dayNumberOf } from '../../core/directory/open-calendar.ts';
import { createDirectory, type RestaurantDirectory, type RestaurantEntry } from '../../core/directory/restaurant-directory.ts';

// `params.code`: the stable code a dashboard edit reports for the field (directory-edit.ts).
const hhmm = z.string().refine((v) => minutesOf(v) !== null, { message: 'a time of day is "HH:MM" (00:00–24:00)', params: { code: 'INVALID_TIME' } });
const range = z.tuple([hhmm, hhmm]);

export const entrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'ids are 1–64 of A–Z a–z 0–9 . _ : -'),
    name: z.string().trim().min(1).max(200).optional(),
    timezone: z.string().refine(isKnownTimezone, { message: 'not an IANA time zone (e.g. "Europe/Paris")', params: { code: 'INVALID_TIMEZONE' } }).optional(),
    /** Weekday → open ranges; a close at or before the open runs past midnight. A day left out is closed. */
    hours: z.partialRecord(z.enum(weekdays), z.array(range)).optional(),
    /** Local dates closed all day, e.g. "2026-12-25". */
    closed: z.array(z.string().refine((d) => dayNumberOf(d) !== null, { message: 'a closed day is a date "YYYY-MM-DD"', params: { code: 'INVALID_DATE' } })).default([]),
    tags: z.array(z.string().trim().min(1).max(100)).default([]),
  })
  .strict()
  .refine((e) => e.hours === undefined || e.timezone !== undefined, { path: ['timezone'], message: 'opening hours need the restaurant\'s timezone', params: { code: 'TIMEZONE_REQUIRED' } });
export type FileEntry = z.input<typeof entrySchema>;

export const restaurantsFileSchema = z
  .object({ $schema: z.string().optional(), restaurants: z.array(entrySchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.restaurants.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['restaurants', i, 'id'], message: `duplicate id "${e.id}"` });
      seen.add(e.id);
    });
  });

export type DirectoryProblem = { path: string; message: string };
export type DirectoryResult = { ok: true; directory: RestaurantDirectory } | { ok: false; problems: DirectoryProblem[] };

export function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(file)';
}

/** Line and column of a JSON syntax error, from the position V8 reports. */
function syntaxProblem(text: string, error: unknown): DirectoryProblem {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /position (\d+)/.exec(message);
  if (!pos) return { path: '(file)', message: `not JSON: ${message}` };
  const before = text.slice(0, Number(pos[1]));
  return { path: `line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`, message: `not JSON: ${message}` };
}

export function parseRestaurantsFile(text: string): DirectoryResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [syntaxProblem(text, error)] };
  }
  const parsed = restaurantsFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })) };
  const entries: RestaurantEntry[] = parsed.data.restaurants.map((e) => ({
    rid: e.id,
    name: e.name ?? e.id,
    ...(e.timezone !== undefined ? { timezone: e.timezone } : {}),
    ...(e.hours !== undefined && e.timezone !== undefined ? { hours: { timezone: e.timezone, days: e.hours } satisfies WeeklyHours } : {}),
    closedDates: e.closed,
    tags: e.tags,
  }));
  return { ok: true, directory: createDirectory(entries) };
}

export async function loadRestaurantsFile(path: string): Promise<DirectoryResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }] };
  }
  return parseRestaurantsFile(text);
}

/** One line per problem, for logs and for the CLI refusing to start. */
export function describeDirectoryProblems(file: string, problems: readonly DirectoryProblem[]): string {
  return problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n');
}
