import { describe, expect, it } from 'vitest';
import { frame, T0 } from './test-helpers/telemetry-events.ts';
import { GatewayLedger } from './gateway-ledger.ts';

describe('gateway ledger', () => {
  it('sets the position at the first frame, then counts duplicates and gaps, never hiding a loss', () => {
    const ledger = new GatewayLedger();
    expect(ledger.admit(frame('gw-a', 7, []), T0).result).toBe('applied');
    expect(ledger.admit(frame('gw-a', 7, []), T0).result).toBe('duplicate');
    expect(ledger.admit(frame('gw-a', 10, []), T0).result).toEqual({ gap: 2 });
    expect(ledger.totals()).toEqual({ frames: 2, duplicates: 1, lostFrames: 2, staleFrames: 0 });
  });

  it('reports a new run as a restart (its connections died), and an older run\'s frame as stale', () => {
    const ledger = new GatewayLedger();
    ledger.admit(frame('gw-a', 5, [], [], 1), T0);
    expect(ledger.admit(frame('gw-a', 1, [], [], 2), T0)).toEqual({ result: 'applied', restarted: true });
    expect(ledger.admit(frame('gw-a', 6, [], [], 1), T0)).toEqual({ result: 'duplicate', restarted: false });
    expect(ledger.status()[0]).toMatchObject({ run: 2, lastSeq: 1, staleFrames: 1 });
  });

  it('lets a seeded gateway\'s next frame set its position, restarted only when its run is known to be older', () => {
    const ledger = new GatewayLedger();
    ledger.seed([
      { gw: 'gw-a', run: 1, heardAt: T0 },
      { gw: 'gw-b', run: -1, heardAt: T0 },
    ]);
    expect(ledger.admit(frame('gw-a', 40, [], [], 2), T0 + 1000)).toEqual({ result: 'applied', restarted: true });
    expect(ledger.admit(frame('gw-b', 40, [], [], 3), T0 + 1000)).toEqual({ result: 'applied', restarted: false });
    expect(ledger.totals().lostFrames).toBe(0);
  });

  it('finds a gateway dead once, after the timeout of silence in hub time', () => {
    const ledger = new GatewayLedger();
    ledger.admit(frame('gw-a', 1, []), T0);
    expect(ledger.expire(T0 + 15_000, 15_000)).toEqual([]);
    expect(ledger.expire(T0 + 15_001, 15_000)).toEqual(['gw-a']);
    expect(ledger.expire(T0 + 30_000, 15_000)).toEqual([]);
    expect(ledger.status()[0]?.alive).toBe(false);
  });
});
