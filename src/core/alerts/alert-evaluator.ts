/**
 * Every rule over every subject it covers, stepped once per tick (alert-machine.ts holds the
 * rules of one alert). Pure: the caller passes `now`, the observations of the tick
 * (alert-observations.ts builds them from the fleet state), the restaurant directory and the
 * silences, and gets back what fired and what resolved — the hub stores and sends those.
 */
import { metricFiresBelow, type AlertEpisode, type AlertStatus, type AlertSubject, type AlertMetric } from '../../protocol/alerts.ts';
import { inRuleScope, silenceOf, subjectKey, type AlertRule, type RestaurantDirectory, type Silence } from './alert-rule.ts';
import { initialAlertState, stepAlert, type AlertState, type HoldReason, type Thresholds } from './alert-machine.ts';
import { isOpenAt } from './opening-hours.ts';

export interface Observation {
  metric: AlertMetric;
  subject: AlertSubject;
  value: number | null;
}

export interface AlertTransition {
  type: 'firing' | 'resolved';
  episode: AlertEpisode;
}

export interface AlertContext {
  directory: RestaurantDirectory;
  silences: readonly Silence[];
}

interface Entry {
  rule: AlertRule;
  th: Thresholds;
  subject: AlertSubject;
  state: AlertState;
  value: number | null;
  /** The evaluation that last observed it. */
  seen: number;
}

export const thresholdsOf = (r: AlertRule): Thresholds => ({ firesBelow: metricFiresBelow(r.metric), fire: r.fire, clear: r.clear, forMs: r.forMs, clearForMs: r.clearForMs });

export const episodeId = (rule: string, subject: AlertSubject, firedAt: number) => `${rule}/${subjectKey(subject)}/${firedAt}`;

export class AlertEvaluator {
  private rules: readonly AlertRule[] = [];
  /** By rule id, then subject key: no string is built per rule × subject on a tick. */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private evaluation = 0;

  constructor(rules: readonly AlertRule[] = []) {
    this.rules = rules;
  }

  get ruleList(): readonly AlertRule[] {
    return this.rules;
  }

  /** New rules (a reloaded file). An alert of a removed rule that was firing resolves as `rule_removed`. */
  setRules(rules: readonly AlertRule[], now: number): AlertTransition[] {
    this.rules = rules;
    const ids = new Set(rules.map((r) => r.id));
    const out: AlertTransition[] = [];
    for (const [id, perRule] of this.entries) {
      if (ids.has(id)) continue;
      for (const e of perRule.values()) {
        if (e.state.phase !== 'firing') continue;
        const firedAt = e.state.firedAt ?? e.state.since;
        out.push({ type: 'resolved', episode: episodeOf(e, { resolvedAt: now, endedBy: 'rule_removed', firedAt }) });
      }
      this.entries.delete(id);
    }
    return out;
  }

  /**
   * Episodes still firing when the last run stopped (from the history): firing again, from their
   * own `firedAt`, so a fault still there after a restart stays the same episode (no second
   * `firing`) and one gone meanwhile resolves at the first tick. An episode whose rule is gone is
   * returned resolved as `rule_removed`.
   */
  resume(open: readonly AlertEpisode[], now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const ep of open) {
      const rule = this.rules.find((r) => r.id === ep.rule);
      if (!rule) {
        out.push({ type: 'resolved', episode: { ...ep, resolvedAt: now, endedBy: 'rule_removed' } });
        continue;
      }
      let perRule = this.entries.get(rule.id);
      if (!perRule) this.entries.set(rule.id, (perRule = new Map()));
      const state: AlertState = { phase: 'firing', since: ep.firedAt, firedAt: ep.firedAt, valueAtFire: ep.valueAtFire, worst: ep.worst };
      perRule.set(subjectKey(ep.subject), { rule, th: thresholdsOf(rule), subject: ep.subject, state, value: ep.value, seen: this.evaluation });
    }
    return out;
  }

  evaluate(now: number, observations: readonly Observation[], ctx: AlertContext): AlertTransition[] {
    const stamp = ++this.evaluation;
    const byMetric = new Map<AlertMetric, { o: Observation; key: string }[]>();
    for (const o of observations) {
      let list = byMetric.get(o.metric);
      if (!list) byMetric.set(o.metric, (list = []));
      list.push({ o, key: subjectKey(o.subject) });
    }
    // A restaurant's hours are read once per tick, whatever the number of rules (Intl is not free).
    const openNow = new Map<string, boolean>();
    const restaurantOpen = (rid: string): boolean => {
      let open = openNow.get(rid);
      if (open === undefined) openNow.set(rid, (open = ctx.directory.isOpen(rid, now)));
      return open;
    };
    const out: AlertTransition[] = [];
    for (const rule of this.rules) {
      const th = thresholdsOf(rule);
      const ruleOpen = isOpenAt(rule.hours, now);
      let perRule = this.entries.get(rule.id);
      if (!perRule) this.entries.set(rule.id, (perRule = new Map()));
      for (const { o, key } of byMetric.get(rule.metric) ?? []) {
        if (!inRuleScope(rule, o.subject, ctx.directory)) continue;
        let e = perRule.get(key);
        if (!e) perRule.set(key, (e = { rule, th, subject: o.subject, state: initialAlertState(now), value: null, seen: stamp }));
        e.rule = rule;
        e.th = th;
        e.seen = stamp;
        let hold: HoldReason | null = null;
        if (ctx.silences.length > 0 && silenceOf(ctx.silences, rule, o.subject, ctx.directory, now)) hold = 'silenced';
        else if (!ruleOpen || (o.subject.kind === 'restaurant' && !restaurantOpen(o.subject.rid))) hold = 'closed';
        this.step(e, now, o.value, hold, out);
      }
    }
    // A subject no longer observed (a restaurant pruned, a gateway forgotten, a scope narrowed): no data.
    for (const perRule of this.entries.values()) {
      for (const [key, e] of perRule) {
        if (e.seen === stamp) continue;
        this.step(e, now, null, null, out);
        if (e.state.phase !== 'firing') perRule.delete(key);
      }
    }
    return out;
  }

  private step(e: Entry, now: number, value: number | null, hold: HoldReason | null, out: AlertTransition[]): void {
    const before = e.state;
    const { state, event } = stepAlert(e.th, before, { now, value, hold });
    e.state = state;
    e.value = value;
    if (!event) return;
    if (event.type === 'firing') out.push({ type: 'firing', episode: episodeOf(e, { resolvedAt: null, endedBy: null, firedAt: event.at }) });
    else out.push({ type: 'resolved', episode: episodeOf({ ...e, state: before }, { resolvedAt: event.at, endedBy: event.endedBy, firedAt: event.firedAt, value: event.value }) });
  }

  private *all(): Iterable<Entry> {
    for (const perRule of this.entries.values()) yield* perRule.values();
  }

  /** Every alert not inactive, for the API and the dashboard. */
  statuses(): AlertStatus[] {
    const out: AlertStatus[] = [];
    for (const e of this.all()) {
      const s = e.state;
      if (s.phase === 'inactive') continue;
      const phase = s.phase === 'held' ? (s.heldBy ?? 'closed') : s.phase;
      const episode = s.phase === 'firing' ? episodeId(e.rule.id, e.subject, s.firedAt ?? s.since) : null;
      out.push({ rule: e.rule.id, name: e.rule.name, severity: e.rule.severity, metric: e.rule.metric, subject: e.subject, phase, since: s.since, value: e.value, episode });
    }
    return out;
  }

  /** Firing alerts per rule (every rule listed, 0 included): `pulse_alerts_firing`. */
  firingByRule(): { rule: string; severity: string; firing: number }[] {
    const counts = new Map(this.rules.map((r) => [r.id, 0]));
    for (const e of this.all()) if (e.state.phase === 'firing') counts.set(e.rule.id, (counts.get(e.rule.id) ?? 0) + 1);
    return this.rules.map((r) => ({ rule: r.id, severity: r.severity, firing: counts.get(r.id) ?? 0 }));
  }
}

function episodeOf(e: Entry, end: { resolvedAt: number | null; endedBy: AlertEpisode['endedBy']; firedAt: number; value?: number | null }): AlertEpisode {
  const r = e.rule;
  return {
    id: episodeId(r.id, e.subject, end.firedAt),
    rule: r.id,
    name: r.name,
    severity: r.severity,
    metric: r.metric,
    subject: e.subject,
    fire: r.fire,
    clear: r.clear,
    forMs: r.forMs,
    valueAtFire: e.state.valueAtFire ?? e.value,
    worst: e.state.worst ?? e.value,
    value: end.value !== undefined ? end.value : e.value,
    firedAt: end.firedAt,
    resolvedAt: end.resolvedAt,
    endedBy: end.endedBy,
  };
}
