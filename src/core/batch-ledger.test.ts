import { describe, expect, it } from 'vitest';
import { BatchLedger } from './batch-ledger.ts';

describe('BatchLedger', () => {
  it('takes a sequence in order, drops a duplicate, counts a gap as lost', () => {
    const l = new BatchLedger();
    expect(l.admit(100, 1)).toEqual({ kind: 'new', newRun: true });
    expect(l.admit(100, 2)).toEqual({ kind: 'new', newRun: false });
    expect(l.admit(100, 2)).toEqual({ kind: 'duplicate' });
    expect(l.admit(100, 5)).toEqual({ kind: 'new', newRun: false });
    expect(l.stats()).toMatchObject({ batches: 3, duplicates: 1, lost: 2, highestSeq: 5 });
  });

  it('takes a late batch that fills a gap, once, and no longer counts it lost', () => {
    const l = new BatchLedger();
    l.admit(100, 1);
    l.admit(100, 3);
    expect(l.admit(100, 2)).toEqual({ kind: 'late' });
    expect(l.admit(100, 2)).toEqual({ kind: 'duplicate' });
    expect(l.stats()).toMatchObject({ batches: 3, late: 1, lost: 0, duplicates: 1 });
  });

  it('starts afresh on a newer run and refuses an older run as stale', () => {
    const l = new BatchLedger();
    l.admit(100, 7);
    expect(l.admit(200, 1)).toEqual({ kind: 'new', newRun: true });
    expect(l.admit(100, 8)).toEqual({ kind: 'stale' });
    expect(l.stats()).toMatchObject({ run: 200, highestSeq: 1, stale: 1, lost: 0 });
  });

  it('the first batch heard sets the position: a hub that starts late has lost nothing', () => {
    const l = new BatchLedger();
    l.admit(100, 50);
    expect(l.stats().lost).toBe(0);
  });

  it('a huge jump is counted without remembering every gap', () => {
    const l = new BatchLedger(10);
    l.admit(1, 1);
    l.admit(1, 1_000_000_001);
    expect(l.stats().lost).toBe(999_999_999);
    expect(l.admit(1, 1_000_000_000)).toEqual({ kind: 'late' });
    expect(l.admit(1, 5)).toEqual({ kind: 'duplicate' });
  });
});
