import { describe, expect, it } from 'vitest';
import type { AlertStatus, AlertsAnswer } from '../../../../protocol/alerts.ts';
import { criticalFiring, formatAlertValue, newlyFiring, sortActive, subjectHref, subjectLabel } from './alert-rows.ts';

const status = (over: Partial<AlertStatus>): AlertStatus => ({
  rule: 'r', name: 'R', severity: 'warning', metric: 'offline', subject: { kind: 'restaurant', rid: 'r-001' }, phase: 'firing', since: 0, value: 1, episode: null, ...over,
});

describe('alert rows', () => {
  it('orders firing before pending before held before resolved, critical first, oldest first', () => {
    const list = [
      status({ phase: 'resolved', since: 1 }),
      status({ phase: 'closed', since: 2 }),
      status({ phase: 'firing', severity: 'warning', since: 3 }),
      status({ phase: 'pending', since: 4 }),
      status({ phase: 'firing', severity: 'critical', since: 9 }),
      status({ phase: 'firing', severity: 'critical', since: 5 }),
    ];
    expect(sortActive(list).map((s) => `${s.phase}:${s.severity}:${s.since}`)).toEqual(['firing:critical:5', 'firing:critical:9', 'firing:warning:3', 'pending:warning:4', 'closed:warning:2', 'resolved:warning:1']);
  });

  it('the banner lists critical alerts that are firing, nothing else', () => {
    const answer: AlertsAnswer = { t: 0, firing: 2, active: [status({ severity: 'critical' }), status({ severity: 'warning' }), status({ severity: 'critical', phase: 'pending' })], history: [], rules: [] };
    expect(criticalFiring(answer)).toHaveLength(1);
    expect(criticalFiring(undefined)).toEqual([]);
  });

  it('labels subjects, links restaurants only (encoded), formats values per metric', () => {
    expect(subjectLabel({ kind: 'gateway', gw: 'gw-1' })).toBe('gateway gw-1');
    expect(subjectHref({ kind: 'restaurant', rid: 'r/../x' })).toBe('/restaurants/r%2F..%2Fx');
    expect(subjectHref({ kind: 'fleet' })).toBeNull();
    expect(formatAlertValue('offline', 1)).toBe('offline');
    expect(formatAlertValue('rtt_p95_ms', null)).toBe('—');
  });

  it('announces only episodes new since the last poll, and nothing on the first one', () => {
    const answer = (eps: string[]): AlertsAnswer => ({ t: 0, firing: eps.length, active: [...eps.map((e) => status({ episode: e })), status({ phase: 'pending' })], history: [], rules: [] });
    const first = newlyFiring(null, answer(['a']));
    expect(first.fresh).toEqual([]);
    const second = newlyFiring(first.ids, answer(['a', 'b']));
    expect(second.fresh.map((s) => s.episode)).toEqual(['b']);
    expect(newlyFiring(second.ids, answer(['b'])).fresh).toEqual([]);
  });
});
