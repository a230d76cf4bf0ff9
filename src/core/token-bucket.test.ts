import { describe, expect, it } from 'vitest';
import { createBucket, takeToken } from './token-bucket.ts';
import type { TokenBucket } from './token-bucket.ts';

const policy = { capacity: 5, refillPerSec: 2 };

function takeMany(bucket: TokenBucket, now: number, n: number): { granted: number; bucket: TokenBucket } {
  let granted = 0;
  for (let i = 0; i < n; i++) {
    const r = takeToken(bucket, now, policy);
    bucket = r.bucket;
    if (r.ok) granted++;
  }
  return { granted, bucket };
}

describe('token bucket', () => {
  it('allows a burst of its capacity, then refuses', () => {
    const { granted, bucket } = takeMany(createBucket(5, 0), 0, 8);
    expect(granted).toBe(5);
    expect(bucket.tokens).toBe(0);
  });

  it('refills at refillPerSec, never above capacity', () => {
    let { bucket } = takeMany(createBucket(5, 0), 0, 5);
    expect(takeToken(bucket, 400, policy).ok).toBe(false); // 0.8 token
    const r = takeToken(bucket, 500, policy); // 1 token
    expect(r.ok).toBe(true);
    bucket = r.bucket;
    expect(takeMany(bucket, 60_000, 10).granted).toBe(5);
  });

  it('a refusal spends nothing, and state is never mutated', () => {
    const start = { tokens: 0.5, updatedAt: 0 };
    const r = takeToken(start, 0, policy);
    expect(r.ok).toBe(false);
    expect(r.bucket.tokens).toBe(0.5);
    expect(start).toEqual({ tokens: 0.5, updatedAt: 0 });
  });

  it('a clock that steps back grants nothing and does not rewind', () => {
    const { bucket } = takeMany(createBucket(5, 10_000), 10_000, 5);
    const back = takeToken(bucket, 5_000, policy);
    expect(back.ok).toBe(false);
    expect(back.bucket.updatedAt).toBe(10_000);
    // Back at 10.5 s: only the half second since 10 s counts.
    expect(takeMany(back.bucket, 10_500, 3).granted).toBe(1);
  });

  it('a cost above the capacity is never granted; a cost is taken whole', () => {
    expect(takeToken(createBucket(5, 0), 0, policy, 6).ok).toBe(false);
    const r = takeToken(createBucket(5, 0), 0, policy, 3);
    expect(r).toEqual({ ok: true, bucket: { tokens: 2, updatedAt: 0 } });
  });
});
