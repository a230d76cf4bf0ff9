/**
 * `GET /api/directory` (docs/api.md, docs/stability.md): the restaurant directory entries of the
 * caller's scope — display name, tags, time zone, opening hours and closed days per restaurant id —
 * so the fleet list and the stability page can search by name and tag. A restaurant without an
 * entry is absent (it is named by its id, untagged, open all day). Names and tags are data from
 * the restaurants file, never markup.
 */
import { z } from 'zod';

const hhmm = z.string().regex(/^\d{2}:\d{2}$/);

export const directoryEntrySchema = z.object({
  rid: z.string().min(1),
  name: z.string(),
  tags: z.array(z.string()),
  timezone: z.string().optional(),
  /** Weekday (`sun` … `sat`) → open ranges, as in the restaurants file. */
  hours: z.record(z.string(), z.array(z.tuple([hhmm, hhmm]))).optional(),
  closed: z.array(z.string()),
});
export type DirectoryEntryWire = z.infer<typeof directoryEntrySchema>;

/** One refused field of a directory edit: where, a stable code, and why in words. */
export const directoryFieldProblemSchema = z.object({
  /** `name`, `timezone`, `hours.fri[0][1]`, `closed[2]`, `tags[0]`; `(body)` when the body is not an object. */
  field: z.string(),
  /** INVALID_ID, INVALID_NAME, INVALID_TIMEZONE, TIMEZONE_REQUIRED, INVALID_HOURS, INVALID_TIME, INVALID_DATE, INVALID_TAG, UNKNOWN_FIELD, INVALID_BODY, INVALID_FIELD. */
  code: z.string(),
  message: z.string(),
});
export type DirectoryFieldProblem = z.infer<typeof directoryFieldProblemSchema>;

/**
 * `PUT /api/directory/:rid` (engineers): the body is the file's entry without its id — `{ name?,
 * timezone?, hours?, closed?, tags? }` — checked by the hub with the file's own schema; it replaces
 * the whole entry. The answer is the entry now in force.
 */
export const directoryEditAnswerSchema = z.object({ t: z.number(), entry: directoryEntrySchema });
export type DirectoryEditAnswer = z.infer<typeof directoryEditAnswerSchema>;

export const directoryAnswerSchema = z.object({
  t: z.number(),
  /** Ordered by rid. */
  restaurants: z.array(directoryEntrySchema),
});
export type DirectoryAnswer = z.infer<typeof directoryAnswerSchema>;
