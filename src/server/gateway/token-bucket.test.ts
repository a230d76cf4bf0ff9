import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refills with time', () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSec: 2 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(400)).toBe(false); // 0.8 of a token
    expect(bucket.take(500)).toBe(true); // 1.0
    expect(bucket.take(500)).toBe(false);
  });
  it('never holds more than its capacity, however long it idled', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSec: 100 }, 0);
    let taken = 0;
    while (bucket.take(3_600_000) && taken < 10) taken++;
    expect(taken).toBe(2);
  });
  it('ignores a clock that steps back', () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSec: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });
});
