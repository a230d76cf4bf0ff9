import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../protocol/live.ts';
import { eventDetail } from './describe-event.ts';

describe('eventDetail', () => {
  it('qualifies a refused token\'s claims as unverified, and says nothing of claims it had none of', () => {
    const claimed: LiveEvent = { type: 'auth_fail', id: 1, gw: 'gw-1', t: 0, reason: 'bad_signature', rid: 'r-001', tid: 'r-001-t1' };
    expect(eventDetail(claimed)).toBe('bad signature (unverified claims)');
    expect(eventDetail({ type: 'auth_fail', id: 2, gw: 'gw-1', t: 0, reason: 'malformed' })).toBe('malformed');
  });
});
