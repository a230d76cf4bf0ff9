/**
 * The engineers' directory edit from the dashboard (`PUT /api/directory/:rid`, docs/stability.md).
 * The restaurants file stays the one source of truth: an edit is written back into it — the file
 * re-read at that moment, only this entry replaced (or added), the whole new file checked with the
 * file's own schema, then written to a temporary file in the same folder, flushed and renamed over
 * the old one (atomic: a reader sees the old file or the new one, never half). The watcher then
 * takes it like any save, so a later hand edit of the file and a dashboard edit never fight over
 * two copies. A file that is wrong on disk right now (a hand edit in progress) is not overwritten:
 * the edit is refused with DIRECTORY_FILE_INVALID.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { z } from 'zod';
import type { RestaurantDirectory } from '../../core/directory/restaurant-directory.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { DirectoryEntryWire, DirectoryFieldProblem } from '../../protocol/directory.ts';
import { entryWire } from './directory-api.ts';
import { describeDirectoryProblems, entrySchema, parseRestaurantsFile, pathOf } from './directory-file.ts';

/** The stable code of a field that carries no code of its own in the schema. */
const fieldCodes: Record<string, string> = { id: 'INVALID_ID', name: 'INVALID_NAME', timezone: 'INVALID_TIMEZONE', hours: 'INVALID_HOURS', closed: 'INVALID_DATE', tags: 'INVALID_TAG' };

export class DirectoryEntryInvalidError extends PulseError {
  constructor(readonly problems: DirectoryFieldProblem[]) {
    super('DIRECTORY_INVALID', problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

type CheckedEntry = z.output<typeof entrySchema>;

/** The body checked as the file's entry for `rid`: the entry, or every problem with its field and code. */
export function checkEntryEdit(rid: string, body: unknown): { ok: true; entry: CheckedEntry } | { ok: false; problems: DirectoryFieldProblem[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, problems: [{ field: '(body)', code: 'INVALID_BODY', message: 'the body is a JSON object: name, timezone, hours, closed, tags' }] };
  // The id is the path's: a body naming another restaurant cannot move an entry.
  const parsed = entrySchema.safeParse({ ...body, id: rid });
  if (parsed.success) return { ok: true, entry: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return { field: i.keys.join(', '), code: 'UNKNOWN_FIELD', message: i.message };
      const own = i.code === 'custom' ? (i.params as { code?: unknown } | undefined)?.code : undefined;
      return { field: pathOf(i.path), code: typeof own === 'string' ? own : (fieldCodes[String(i.path[0])] ?? 'INVALID_FIELD'), message: i.message };
    }),
  };
}

/** The entry as the file writes it: fields in the documented order, empty lists left out. */
function fileEntryOf(e: CheckedEntry): Record<string, unknown> {
  return {
    id: e.id,
    ...(e.name !== undefined ? { name: e.name } : {}),
    ...(e.timezone !== undefined ? { timezone: e.timezone } : {}),
    ...(e.hours !== undefined ? { hours: e.hours } : {}),
    ...(e.closed.length > 0 ? { closed: e.closed } : {}),
    ...(e.tags.length > 0 ? { tags: e.tags } : {}),
  };
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export interface DirectoryEditor {
  /** Replaces (or adds) `rid`'s entry with `body`; resolves with the entry now in force. */
  edit(rid: string, body: unknown): Promise<DirectoryEntryWire>;
}

export function fileDirectoryEditor(o: { path: string; reload: () => Promise<boolean>; current: () => RestaurantDirectory }): DirectoryEditor {
  // Edits one at a time: two concurrent ones would each re-read the file and the second drop the first.
  let chain: Promise<unknown> = Promise.resolve();
  const editNow = async (rid: string, body: unknown): Promise<DirectoryEntryWire> => {
    const checked = checkEntryEdit(rid, body);
    if (!checked.ok) throw new DirectoryEntryInvalidError(checked.problems);
    const text = await readFile(o.path, 'utf8');
    const onDisk = parseRestaurantsFile(text);
    if (!onDisk.ok) throw new PulseError('DIRECTORY_FILE_INVALID', `the restaurants file is not valid on disk right now, so it is not overwritten: ${describeDirectoryProblems(basename(o.path), onDisk.problems)}`);
    const file = JSON.parse(text) as { restaurants: { id: string }[] };
    const entry = fileEntryOf(checked.entry);
    const at = file.restaurants.findIndex((e) => e.id === rid);
    const restaurants = at < 0 ? [...file.restaurants, entry] : file.restaurants.map((e, i) => (i === at ? entry : e));
    const next = `${JSON.stringify({ ...file, restaurants }, null, 2)}\n`;
    // The whole file again (duplicates, every entry): what the watcher will accept.
    const whole = parseRestaurantsFile(next);
    if (!whole.ok) throw new PulseError('DIRECTORY_FILE_INVALID', describeDirectoryProblems(basename(o.path), whole.problems));
    await writeAtomically(o.path, next);
    if (!(await o.reload())) throw new PulseError('DIRECTORY_FILE_INVALID', 'the restaurants file changed again before it could be reloaded');
    const now = o.current().entry(rid);
    if (!now) throw new PulseError('INTERNAL');
    return entryWire(now);
  };
  return {
    edit(rid, body) {
      const run = chain.then(() => editNow(rid, body));
      chain = run.catch(() => undefined);
      return run;
    },
  };
}
