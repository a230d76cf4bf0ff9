import { describe, expect, it } from 'vitest';
import { livenessOf, stalenessMessage } from './liveness.ts';

const base = { connection: { socket: 'open' as const, failure: null, rttMs: null }, appliedAt: 10_000, resyncFrom: null, tickMs: 1000 };

describe('liveness', () => {
  it('is live while the socket is open and ticks keep arriving', () => {
    expect(livenessOf(base, 11_000)).toEqual({ status: 'live', ageMs: 1000 });
    expect(stalenessMessage(livenessOf(base, 11_000))).toBeNull();
  });

  it('says how old the data is as soon as the socket is not open', () => {
    const view = livenessOf({ ...base, connection: { ...base.connection, socket: 'waiting' } }, 22_400);
    expect(view.status).toBe('reconnecting');
    expect(stalenessMessage(view)).toBe('Reconnecting — data 12 s old');
  });

  it('turns stale when ticks stop even though the socket still looks open (a silent hub)', () => {
    expect(livenessOf(base, 12_000).status).toBe('live');
    expect(livenessOf(base, 12_001).status).toBe('reconnecting');
  });

  it('is not live while a gap waits for a replay', () => {
    expect(livenessOf({ ...base, resyncFrom: { epoch: 'e', seq: 1 } }, 10_500).status).toBe('reconnecting');
  });

  it('before any data: connecting; a refused token: refused', () => {
    expect(livenessOf({ ...base, appliedAt: null }, 0)).toEqual({ status: 'connecting', ageMs: null });
    expect(livenessOf({ ...base, connection: { socket: 'failed', failure: 'token_rejected', rttMs: null } }, 0).status).toBe('refused');
  });
});
