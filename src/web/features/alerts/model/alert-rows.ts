/**
 * What the alerts page and the header show of `GET /api/alerts`: pure, so it is tested without a
 * DOM. Ids and names come from the alerts file and from terminals: rendered as text, never markup.
 */
import type { AlertEpisode, AlertMetric, AlertStatus, AlertSubject, AlertsAnswer } from '../../../../protocol/alerts.ts';
import { formatMs, formatRate, formatShare, noData } from '../../../lib/format.ts';

export const phaseLabel: Record<AlertStatus['phase'], string> = {
  firing: 'Firing',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed (outside hours)',
  silenced: 'Silenced',
};

export const endLabel: Record<NonNullable<AlertEpisode['endedBy']>, string> = {
  recovered: 'recovered',
  closed: 'restaurant closed',
  silenced: 'silenced',
  rule_removed: 'rule removed',
};

const phaseRank: Record<AlertStatus['phase'], number> = { firing: 0, pending: 1, silenced: 2, closed: 3, resolved: 4 };
const severityRank = { critical: 0, warning: 1, info: 2 } as const;

export function subjectLabel(s: AlertSubject): string {
  switch (s.kind) {
    case 'restaurant':
      return s.rid;
    case 'gateway':
      return `gateway ${s.gw}`;
    case 'fleet':
      return 'Pulse (fleet-wide)';
  }
}

/** The restaurant's page, for restaurant alerts only. */
export function subjectHref(s: AlertSubject): string | null {
  return s.kind === 'restaurant' ? `/restaurants/${encodeURIComponent(s.rid)}` : null;
}

export function formatAlertValue(metric: AlertMetric, v: number | null): string {
  if (v === null) return noData;
  switch (metric) {
    case 'heartbeat_success':
      return formatShare(v);
    case 'rtt_p95_ms':
      return formatMs(v);
    case 'reconnects_per_min':
    case 'auth_failures_per_min':
      return formatRate(v);
    case 'offline':
      return v > 0 ? 'offline' : 'online';
    case 'gateway_lost':
      return v > 0 ? 'lost' : 'alive';
    case 'store_failing':
      return v > 0 ? 'failing' : 'ok';
  }
}

/** Firing first, then pending, held, resolved; critical before warning; oldest first within. */
export function sortActive(list: readonly AlertStatus[]): AlertStatus[] {
  return [...list].sort((a, b) => phaseRank[a.phase] - phaseRank[b.phase] || severityRank[a.severity] - severityRank[b.severity] || a.since - b.since);
}

/** Critical alerts firing now: the banner. */
export function criticalFiring(answer: AlertsAnswer | undefined): AlertStatus[] {
  return sortActive((answer?.active ?? []).filter((s) => s.phase === 'firing' && s.severity === 'critical'));
}

/**
 * Episodes firing now that were not in `known` (the ids seen at the previous poll): what a browser
 * notification announces. The first poll only learns what is already firing (`known` null):
 * opening the dashboard must not replay every alert as news.
 */
export function newlyFiring(known: ReadonlySet<string> | null, answer: AlertsAnswer): { fresh: AlertStatus[]; ids: Set<string> } {
  const firing = answer.active.filter((s) => s.phase === 'firing' && s.episode !== null);
  const ids = new Set(firing.map((s) => s.episode as string));
  const fresh = known === null ? [] : firing.filter((s) => !known.has(s.episode as string));
  return { fresh: sortActive(fresh), ids };
}
