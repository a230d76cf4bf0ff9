/**
 * The engineers' directory edit of one restaurant (docs/stability.md): name, time zone, opening
 * hours per weekday, closed days and tags, saved with `PUT /api/directory/:rid` into the
 * restaurants file. Each refused field shows the hub's code and words beside it. Shown to engineers
 * only; the hub refuses anyone else (403 FORBIDDEN) whatever the page shows.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { directoryEditAnswerSchema, type DirectoryEntryWire, type DirectoryFieldProblem } from '../../../../protocol/directory.ts';
import { ApiError } from '../../../lib/api-client.ts';
import { useApi } from '../../../lib/api-context.ts';
import { bodyOf, formDays, formOf, problemsByField, type DirectoryForm } from '../model/directory-form.ts';

const input = 'rounded border border-line bg-surface px-1 py-0.5 text-sm';

function Problems({ list }: { list: readonly DirectoryFieldProblem[] | undefined }) {
  if (!list?.length) return null;
  return (
    <span className="text-xs text-bad" role="alert">
      {list.map((p) => `${p.code}: ${p.message}`).join('; ')}
    </span>
  );
}

export function DirectoryEditor({ rid, entry }: { rid: string; entry: DirectoryEntryWire | undefined }) {
  const api = useApi();
  const client = useQueryClient();
  const [form, setForm] = useState<DirectoryForm>(() => formOf(rid, entry));
  const save = useMutation({
    mutationFn: (f: DirectoryForm) => api.send('PUT', `/api/directory/${encodeURIComponent(rid)}`, bodyOf(f), directoryEditAnswerSchema),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['directory'] });
      void client.invalidateQueries({ queryKey: ['restaurant', rid, 'stability'] });
      void client.invalidateQueries({ queryKey: ['stability'] });
    },
  });
  const problems = problemsByField(save.error instanceof ApiError ? save.error.problems : []);
  const set = (changes: Partial<DirectoryForm>) => setForm((f) => ({ ...f, ...changes }));

  return (
    <form
      className="space-y-2 rounded-md border border-line p-3"
      data-testid="directory-editor"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(form);
      }}
    >
      <h3 className="text-sm font-medium">Directory entry (engineers; saved into the restaurants file)</h3>
      <label className="flex flex-wrap items-center gap-2 text-sm">
        Name <input className={input} value={form.name} onChange={(e) => set({ name: e.target.value })} data-testid="directory-name" /> <Problems list={problems.get('name')} />
      </label>
      <label className="flex flex-wrap items-center gap-2 text-sm">
        Time zone <input className={input} value={form.timezone} placeholder="Europe/Paris" onChange={(e) => set({ timezone: e.target.value })} data-testid="directory-timezone" /> <Problems list={problems.get('timezone')} />
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={form.withHours} onChange={(e) => set({ withHours: e.target.checked })} data-testid="directory-with-hours" /> Opening hours (without: counted all day)
      </label>
      {form.withHours && (
        <div className="grid grid-cols-[3rem_1fr] items-center gap-1 text-sm">
          {formDays.map((d) => (
            <label key={d} className="contents">
              <span className="capitalize">{d}</span>
              <span className="flex flex-wrap items-center gap-2">
                <input className={input} value={form.hours[d]} placeholder="11:00-23:00, closed if empty" onChange={(e) => set({ hours: { ...form.hours, [d]: e.target.value } })} data-testid={`directory-hours-${d}`} />
                <Problems list={problems.get(`hours.${d}`)} />
              </span>
            </label>
          ))}
        </div>
      )}
      <label className="flex flex-wrap items-center gap-2 text-sm">
        Closed days <input className={input} value={form.closed} placeholder="2026-12-25, 2027-01-01" onChange={(e) => set({ closed: e.target.value })} data-testid="directory-closed" /> <Problems list={problems.get('closed')} />
      </label>
      <label className="flex flex-wrap items-center gap-2 text-sm">
        Tags <input className={input} value={form.tags} placeholder="region:north, brand:pizza" onChange={(e) => set({ tags: e.target.value })} data-testid="directory-tags" /> <Problems list={problems.get('tags')} />
      </label>
      <div className="flex items-center gap-2 text-sm">
        <button type="submit" disabled={save.isPending} className="rounded border border-line px-2 py-0.5 hover:bg-raised">
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        {save.isSuccess && <span className="text-ok" data-testid="directory-saved">Saved into the restaurants file.</span>}
        {save.error && (
          <span className="text-bad" role="alert" data-testid="directory-error">
            {save.error instanceof ApiError ? save.error.code : 'ERROR'}: {problems.has('other') ? problems.get('other')!.map((p) => `${p.field} ${p.code}`).join('; ') : save.error.message}
          </span>
        )}
      </div>
    </form>
  );
}
