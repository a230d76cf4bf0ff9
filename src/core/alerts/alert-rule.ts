/**
 * The alert model (docs/alerts.md): rules over figures Pulse already computes, restaurants' tags
 * and opening hours, and silences. Plain data; the alerts file (src/server/alerts) is validated
 * into these shapes, and a restaurant directory can feed the same `RestaurantDirectory` later.
 */
import type { AlertMetric, AlertSeverity, AlertSubject } from '../../protocol/alerts.ts';
import type { WeeklyHours } from './opening-hours.ts';

export interface AlertRule {
  id: string;
  name: string;
  metric: AlertMetric;
  severity: AlertSeverity;
  /**
   * Fires when the figure is past `fire` (above it, or below it for heartbeat success) for
   * `forMs`; a firing alert resolves only once the figure is back past `clear` for `clearForMs`.
   * The gap between the two is the hysteresis that keeps a value hovering at `fire` from flapping.
   */
  fire: number;
  clear: number;
  forMs: number;
  clearForMs: number;
  /** Empty (both undefined): the whole fleet. Otherwise restaurants listed or carrying a tag listed. */
  scope: { restaurants?: readonly string[]; tags?: readonly string[] };
  /** The rule's own hours (e.g. business hours for a fleet rule): held outside them, as a closed restaurant is. */
  hours?: WeeklyHours;
}

/**
 * What the alerts know of a restaurant beyond its figures. Unknown restaurant: no tags, always
 * open. `isOpen` rather than the hours themselves, so a directory with closed dates (issue 13)
 * answers for itself; the alerts file implements it with weekly hours (`isOpenAt`).
 */
export interface RestaurantDirectory {
  tagsOf(rid: string): readonly string[];
  isOpen(rid: string, t: number): boolean;
}

export const emptyDirectory: RestaurantDirectory = { tagsOf: () => [], isOpen: () => true };

/** Mutes matching alerts from `from` (default: always) until `until` (ms). Every given field must match. */
export interface Silence {
  rule?: string;
  rid?: string;
  tag?: string;
  from?: number;
  until: number;
  by: string;
  why: string;
}

export function subjectKey(s: AlertSubject): string {
  switch (s.kind) {
    case 'restaurant':
      return `r:${s.rid}`;
    case 'gateway':
      return `g:${s.gw}`;
    case 'fleet':
      return 'fleet';
  }
}

export function inRuleScope(rule: AlertRule, subject: AlertSubject, dir: RestaurantDirectory): boolean {
  const { restaurants, tags } = rule.scope;
  if (restaurants === undefined && tags === undefined) return true;
  if (subject.kind !== 'restaurant') return false;
  if (restaurants?.includes(subject.rid)) return true;
  return tags !== undefined && dir.tagsOf(subject.rid).some((t) => tags.includes(t));
}

/** The silence muting this alert at `now`, if any. A gateway or fleet alert is silenced by rule only. */
export function silenceOf(silences: readonly Silence[], rule: AlertRule, subject: AlertSubject, dir: RestaurantDirectory, now: number): Silence | undefined {
  const rid = subject.kind === 'restaurant' ? subject.rid : undefined;
  return silences.find((s) => {
    if (now < (s.from ?? -Infinity) || now >= s.until) return false;
    if (s.rule === undefined && s.rid === undefined && s.tag === undefined) return false;
    if (s.rule !== undefined && s.rule !== rule.id) return false;
    if (s.rid !== undefined && s.rid !== rid) return false;
    if (s.tag !== undefined && (rid === undefined || !dir.tagsOf(rid).includes(s.tag))) return false;
    return true;
  });
}
