/**
 * What the silence form sends and how silences and deliveries read on the page: pure, tested
 * without a DOM. Ids, names and reasons are the alerts file's and people's: text, never markup.
 */
import type { AlertStatus } from '../../../../protocol/alerts.ts';
import type { DeliveryWire, SilenceRequest, SilenceWire } from '../../../../protocol/alerts-api.ts';
import { formatClock } from '../../../lib/format.ts';

/** What to mute, from a firing alert's row: its rule here, everything here, or its rule everywhere. */
export type SilenceTarget = 'rule-here' | 'restaurant' | 'rule';

/** A gateway or fleet alert is silenced by rule only (docs/alerts.md). */
export function targetsOf(s: Pick<AlertStatus, 'subject'>): SilenceTarget[] {
  return s.subject.kind === 'restaurant' ? ['rule-here', 'restaurant', 'rule'] : ['rule'];
}

export function targetLabel(s: Pick<AlertStatus, 'rule' | 'name' | 'subject'>, t: SilenceTarget): string {
  const rid = s.subject.kind === 'restaurant' ? s.subject.rid : '';
  switch (t) {
    case 'rule-here':
      return `${s.name} at ${rid}`;
    case 'restaurant':
      return `every alert of ${rid}`;
    case 'rule':
      return `${s.name} everywhere`;
  }
}

export function silenceRequest(s: Pick<AlertStatus, 'rule' | 'subject'>, t: SilenceTarget, hours: number, why: string, now: number): SilenceRequest {
  const rid = s.subject.kind === 'restaurant' ? s.subject.rid : undefined;
  return {
    ...(t !== 'restaurant' ? { rule: s.rule } : {}),
    ...(t !== 'rule' && rid !== undefined ? { restaurant: rid } : {}),
    until: Math.round(now + hours * 3_600_000),
    why,
  };
}

/** "rule offline · r-001", "tag paris", …: every field the silence matches on. */
export function silenceScopeLabel(s: Pick<SilenceWire, 'rule' | 'restaurant' | 'tag'>): string {
  const parts = [s.rule !== null ? `rule ${s.rule}` : null, s.restaurant, s.tag !== null ? `tag ${s.tag}` : null].filter((p): p is string => p !== null);
  return parts.join(' · ');
}

export const deliveryStateLabel: Record<DeliveryWire['state'], string> = {
  queued: 'queued',
  retrying: 'retrying',
  delivered: 'delivered',
  failed: 'failed',
  dropped: 'dropped (queue full)',
};

/** One attempt as a line: "12:00:01 HTTP 503", "12:00:02 ECONNREFUSED (no answer)". */
export function attemptLabel(a: DeliveryWire['attempts'][number]): string {
  return `${formatClock(a.at)} ${a.httpStatus !== null ? `HTTP ${a.httpStatus}` : `${a.outcome} (no answer)`}`;
}
