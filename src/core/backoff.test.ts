import { describe, expect, it } from 'vitest';
import { backoffBounds, backoffDelay, defaultBackoff } from './backoff.ts';
import { seededRandom } from './clock.ts';

describe('backoff policy', () => {
  it('ceilings double from 2× base and stop at the cap', () => {
    const maxima = Array.from({ length: 8 }, (_, n) => backoffBounds(n).maxMs);
    expect(maxima).toEqual([4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000, 64_000]);
    expect(backoffBounds(3).minMs).toBe(defaultBackoff.baseMs);
  });

  it('over 10,000 draws per attempt every delay is within its bounds, and the draws fill them', () => {
    const random = seededRandom(7);
    for (let attempt = 0; attempt < 12; attempt++) {
      const { minMs, maxMs } = backoffBounds(attempt);
      let lo = Infinity;
      let hi = -Infinity;
      let sum = 0;
      let outside = 0;
      for (let i = 0; i < 10_000; i++) {
        const d = backoffDelay(attempt, random);
        if (!(d >= minMs && d <= maxMs)) outside++;
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
        sum += d;
      }
      expect(outside).toBe(0);
      const span = maxMs - minMs;
      // Full jitter: the whole range is used and its mean sits in the middle.
      expect(lo - minMs).toBeLessThan(span * 0.01);
      expect(maxMs - hi).toBeLessThan(span * 0.01);
      expect(Math.abs(sum / 10_000 - (minMs + span / 2))).toBeLessThan(span * 0.02);
    }
  });

  it('at the cap the delays still spread over [base, cap] rather than piling on the cap', () => {
    const random = seededRandom(3);
    const delays = Array.from({ length: 10_000 }, () => backoffDelay(50, random));
    const atCap = delays.filter((d) => d > 63_000).length;
    expect(atCap / delays.length).toBeLessThan(0.03);
  });

  it('10,000 attempts: every delay is finite and within [base, cap]', () => {
    const random = seededRandom(11);
    const bad: Array<{ attempt: number; d: number }> = [];
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const d = backoffDelay(attempt, random);
      if (!Number.isFinite(d) || d < 2_000 || d > 64_000) bad.push({ attempt, d });
    }
    expect(bad).toEqual([]);
    for (const attempt of [1_023, 1_024, 1_075, 10_000, Number.MAX_SAFE_INTEGER, Infinity, NaN, -5]) {
      const { minMs, maxMs } = backoffBounds(attempt);
      expect(Number.isFinite(maxMs)).toBe(true);
      expect(minMs).toBe(2_000);
      expect(maxMs).toBeLessThanOrEqual(64_000);
    }
  });

  it('the extremes of the RNG stay in range, and a broken RNG cannot escape it', () => {
    expect(backoffDelay(0, () => 0)).toBe(2_000);
    expect(backoffDelay(0, () => 0.999999)).toBeLessThan(4_000);
    expect(backoffDelay(9, () => NaN)).toBe(2_000);
    expect(backoffDelay(9, () => 7)).toBe(64_000);
  });

  it('honours a custom policy, and a cap below the base keeps the base as the floor', () => {
    expect(backoffBounds(0, { baseMs: 10, capMs: 100 })).toEqual({ minMs: 10, maxMs: 20 });
    expect(backoffBounds(9, { baseMs: 10, capMs: 100 })).toEqual({ minMs: 10, maxMs: 100 });
    expect(backoffBounds(9, { baseMs: 500, capMs: 100 })).toEqual({ minMs: 500, maxMs: 500 });
    expect(backoffBounds(2, { capMs: 5_000 })).toEqual({ minMs: 2_000, maxMs: 5_000 });
  });
});
