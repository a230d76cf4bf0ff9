/**
 * Silences made through the API (docs/alerts.md), beside the alerts file's own: validated, kept in
 * the store (silence-store.ts) so a restarted hub still holds them, and mirrored in memory so the
 * tick's evaluation reads them synchronously. A lifted silence leaves the mirror at once and an
 * expired one stops matching by its `until`: either way the next tick no longer holds its alerts.
 */
import { randomUUID } from 'node:crypto';
import { inRuleScope, type AlertRule, type RestaurantDirectory, type Silence } from '../../core/alerts/alert-rule.ts';
import { restaurantMetrics } from '../../protocol/alerts.ts';
import { maxSilenceMs, silenceRequestSchema, type SilenceWire } from '../../protocol/alerts-api.ts';
import { PulseError } from '../../protocol/errors.ts';
import type { SilenceStore, StoredSilence } from '../store/silence-store.ts';

export interface SilencesDeps {
  store: SilenceStore;
  rules(): readonly AlertRule[];
  directory(): RestaurantDirectory;
  /** The alerts file's silences (listed, never lifted through the API). */
  fileSilences(): readonly Silence[];
}

export interface Silences {
  /** The file's and the API's, for the evaluation of a tick. */
  inForce(): readonly Silence[];
  /** Not yet ended at `now`; `restaurants` non-null: only those that can mute one of them. */
  list(now: number, restaurants: readonly string[] | null): SilenceWire[];
  create(now: number, by: string, body: unknown): Promise<SilenceWire>;
  lift(now: number, id: string, by: string): Promise<SilenceWire>;
}

export async function loadSilences(d: SilencesDeps, now: number): Promise<Silences> {
  const stored = new Map((await d.store.current(now)).map((s) => [s.id, s]));
  let merged: readonly Silence[] | undefined;
  let fileBefore: readonly Silence[] | undefined;
  const inForce = (): readonly Silence[] => {
    // The file reloads on its own: rebuild only when it or the stored set changed.
    const file = d.fileSilences();
    if (!merged || file !== fileBefore) {
      fileBefore = file;
      merged = [...file, ...stored.values()];
    }
    return merged;
  };

  /** Whether a silence can mute an alert of one of these restaurants (a manager's view). */
  function touches(s: Silence, rids: readonly string[]): boolean {
    const dir = d.directory();
    const rule = s.rule === undefined ? undefined : d.rules().find((r) => r.id === s.rule);
    if (s.rule !== undefined && (!rule || !restaurantMetrics.includes(rule.metric))) return false;
    return rids.some((rid) => (s.rid === undefined || s.rid === rid) && (s.tag === undefined || dir.tagsOf(rid).includes(s.tag)) && (!rule || inRuleScope(rule, { kind: 'restaurant', rid }, dir)));
  }

  function validated(now: number, body: unknown): Omit<Silence, 'by'> {
    if (body !== null && typeof body === 'object' && 'by' in body) throw new PulseError('SILENCE_INVALID', 'by: who silences comes from your token, not the body');
    const p = silenceRequestSchema.safeParse(body);
    if (!p.success) throw new PulseError('SILENCE_INVALID', p.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
    const s = p.data;
    const start = Math.max(now, s.from ?? now);
    if (s.until <= now) throw new PulseError('SILENCE_INVALID', 'until: already past');
    if (s.until <= start) throw new PulseError('SILENCE_INVALID', 'until: must be after from');
    if (s.until - start > maxSilenceMs) throw new PulseError('SILENCE_INVALID', `until: a silence holds at most ${maxSilenceMs / 86_400_000} days (edit the rule instead)`);
    if (s.rule !== undefined) {
      const rule = d.rules().find((r) => r.id === s.rule);
      if (!rule) throw new PulseError('SILENCE_INVALID', `rule: no rule "${s.rule}" in the alerts file`);
      // Gateway and fleet alerts have no restaurant or tag to match (alert-rule.ts silenceOf).
      if (!restaurantMetrics.includes(rule.metric) && (s.restaurant !== undefined || s.tag !== undefined)) throw new PulseError('SILENCE_INVALID', `rule: ${rule.id} is fleet-wide; silence it by rule alone`);
    }
    return { ...(s.rule !== undefined ? { rule: s.rule } : {}), ...(s.restaurant !== undefined ? { rid: s.restaurant } : {}), ...(s.tag !== undefined ? { tag: s.tag } : {}), ...(s.from !== undefined ? { from: s.from } : {}), until: s.until, why: s.why };
  }

  return {
    inForce,
    list(now, rids) {
      // Ended ones hold nothing any more: let them go (they stay in the store's table).
      for (const [id, s] of stored) {
        if (s.until > now) continue;
        stored.delete(id);
        merged = undefined;
      }
      const all: [Silence, StoredSilence | null][] = [...d.fileSilences().map((s): [Silence, null] => [s, null]), ...[...stored.values()].map((s): [Silence, StoredSilence] => [s, s])];
      return all
        .filter(([s]) => s.until > now && (rids === null || touches(s, rids)))
        .map(([s, api]) => wireOf(s, api))
        .sort((x, y) => x.until - y.until);
    },
    async create(now, by, body) {
      const silence: StoredSilence = { ...validated(now, body), by, id: randomUUID(), createdAt: now };
      await d.store.add(silence);
      stored.set(silence.id, silence);
      merged = undefined;
      return wireOf(silence, silence);
    },
    async lift(now, id, by) {
      const s = stored.get(id);
      if (!s || s.until <= now || !(await d.store.lift(id, by, now))) throw new PulseError('NOT_FOUND', 'no silence of that id in force');
      stored.delete(id);
      merged = undefined;
      return wireOf(s, s);
    },
  };
}

function wireOf(s: Silence, api: StoredSilence | null): SilenceWire {
  return {
    id: api?.id ?? null,
    source: api ? 'api' : 'file',
    rule: s.rule ?? null,
    restaurant: s.rid ?? null,
    tag: s.tag ?? null,
    from: s.from ?? null,
    until: s.until,
    by: s.by,
    why: s.why,
    createdAt: api?.createdAt ?? null,
  };
}
