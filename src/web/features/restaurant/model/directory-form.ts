/**
 * The engineers' directory edit as a form (docs/stability.md): the entry as text fields and back
 * to the body of `PUT /api/directory/:rid`. The hub validates with the restaurants file's schema;
 * this only splits text — "09:00-17:00, 18:00-02:00" into ranges, commas into lists — so whatever
 * is wrong comes back as the hub's problem for that field, with its stable code.
 */
import type { DirectoryEntryWire, DirectoryFieldProblem } from '../../../../protocol/directory.ts';

export const formDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type FormDay = (typeof formDays)[number];

export interface DirectoryForm {
  name: string;
  timezone: string;
  /** Per weekday, "HH:MM-HH:MM, …"; empty = closed that day. */
  hours: Record<FormDay, string>;
  /** Whether the entry has opening hours at all (without, it counts all day). */
  withHours: boolean;
  closed: string;
  tags: string;
}

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

export function formOf(rid: string, entry: DirectoryEntryWire | undefined): DirectoryForm {
  const days = entry?.hours ?? {};
  return {
    name: entry?.name ?? rid,
    timezone: entry?.timezone ?? '',
    hours: Object.fromEntries(formDays.map((d) => [d, (days[d] ?? []).map(([a, b]) => `${a}-${b}`).join(', ')])) as Record<FormDay, string>,
    withHours: entry?.hours !== undefined,
    closed: (entry?.closed ?? []).join(', '),
    tags: (entry?.tags ?? []).join(', '),
  };
}

export function bodyOf(form: DirectoryForm): Record<string, unknown> {
  const hours: Record<string, [string, string][]> = {};
  if (form.withHours) {
    for (const d of formDays) {
      const ranges = list(form.hours[d]).map((r) => {
        const [a = '', b = ''] = r.split(/\s*[-–]\s*/);
        return [a, b] as [string, string];
      });
      if (ranges.length > 0) hours[d] = ranges;
    }
  }
  return {
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
    ...(form.timezone.trim() ? { timezone: form.timezone.trim() } : {}),
    ...(form.withHours ? { hours } : {}),
    closed: list(form.closed),
    tags: list(form.tags),
  };
}

const fields = ['name', 'timezone', 'closed', 'tags'];

/** The hub's problems by the form field they belong to (`hours.fri[0][1]` → `hours.fri`). */
export function problemsByField(problems: readonly DirectoryFieldProblem[]): Map<string, DirectoryFieldProblem[]> {
  const out = new Map<string, DirectoryFieldProblem[]>();
  for (const p of problems) {
    const key = /^hours\.[a-z]{3}/.exec(p.field)?.[0] ?? fields.find((f) => p.field === f || p.field.startsWith(`${f}[`)) ?? 'other';
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}
