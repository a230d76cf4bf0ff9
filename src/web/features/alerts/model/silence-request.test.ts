import { describe, expect, it } from 'vitest';
import { silenceRequestSchema } from '../../../../protocol/alerts-api.ts';
import { attemptLabel, silenceRequest, silenceScopeLabel, targetLabel, targetsOf } from './silence-request.ts';

const restaurant = { rule: 'offline', name: 'Restaurant offline', subject: { kind: 'restaurant' as const, rid: 'r-001' } };
const gateway = { rule: 'gw-lost', name: 'Gateway lost', subject: { kind: 'gateway' as const, gw: 'gw-1' } };
const now = 1_800_000_000_000;

describe('the silence form', () => {
  it('offers a restaurant alert three targets and a gateway alert its rule only', () => {
    expect(targetsOf(restaurant)).toEqual(['rule-here', 'restaurant', 'rule']);
    expect(targetsOf(gateway)).toEqual(['rule']);
    expect(targetsOf(restaurant).map((t) => targetLabel(restaurant, t))).toEqual(['Restaurant offline at r-001', 'every alert of r-001', 'Restaurant offline everywhere']);
  });

  it('builds a body the hub accepts: N hours from now, the reason, no `by`', () => {
    expect(silenceRequest(restaurant, 'rule-here', 2, 'till swap', now)).toEqual({ rule: 'offline', restaurant: 'r-001', until: now + 7_200_000, why: 'till swap' });
    expect(silenceRequest(restaurant, 'restaurant', 0.5, 'x', now)).toEqual({ restaurant: 'r-001', until: now + 1_800_000, why: 'x' });
    expect(silenceRequest(gateway, 'rule', 1, 'x', now)).toEqual({ rule: 'gw-lost', until: now + 3_600_000, why: 'x' });
    for (const t of targetsOf(restaurant)) expect(silenceRequestSchema.safeParse(silenceRequest(restaurant, t, 1, 'why', now)).success).toBe(true);
  });

  it('names what a silence matches, and an attempt by its status or its failure', () => {
    expect(silenceScopeLabel({ rule: 'offline', restaurant: 'r-001', tag: null })).toBe('rule offline · r-001');
    expect(silenceScopeLabel({ rule: null, restaurant: null, tag: 'paris' })).toBe('tag paris');
    expect(attemptLabel({ at: now, httpStatus: 503, outcome: 'HTTP 503' })).toMatch(/ HTTP 503$/);
    expect(attemptLabel({ at: now, httpStatus: null, outcome: 'ECONNREFUSED' })).toMatch(/ ECONNREFUSED \(no answer\)$/);
  });
});
