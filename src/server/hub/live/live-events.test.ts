import { describe, expect, it } from 'vitest';
import { liveEventSchema } from '../../../protocol/live.ts';
import { numberEvent } from './live-events.ts';

describe('numberEvent', () => {
  it('keeps the contract fields only and numbers the event', () => {
    const e = numberEvent({ type: 'open', gw: 'g', t: 5, rid: 'r-1', tid: 't-1', conn: 'c1', via: 'query' }, 7);
    expect(e).toEqual({ type: 'open', id: 7, gw: 'g', t: 5, rid: 'r-1', tid: 't-1', conn: 'c1' });
  });

  it('bounds terminal-provided text so the frame still decodes', () => {
    const e = numberEvent(
      { type: 'close', gw: 'g', t: 5, rid: 'r-1', tid: 't-1', conn: 'c1', code: 1000, cause: 'client_close', reason: 'x'.repeat(500), byServer: false, durationMs: 3 },
      1,
    );
    expect(e.type === 'close' && e.reason).toHaveLength(200);
    expect(liveEventSchema.safeParse(e).success).toBe(true);
  });

  it('leaves out the restaurant of an auth failure whose token was unreadable', () => {
    const e = numberEvent({ type: 'auth_fail', gw: 'g', t: 5, reason: 'malformed' }, 2);
    expect(e).toEqual({ type: 'auth_fail', id: 2, gw: 'g', t: 5, reason: 'malformed' });
    expect('rid' in e).toBe(false);
  });

  it('never files a refused token under the restaurant it claims (no manager sees a forged auth_fail)', () => {
    const e = numberEvent({ type: 'auth_fail', gw: 'g', t: 5, reason: 'bad_signature', claimedRid: 'r-005', claimedTid: 'r-005-t1' }, 3);
    expect(e).toEqual({ type: 'auth_fail', id: 3, gw: 'g', t: 5, reason: 'bad_signature' });
  });
});
