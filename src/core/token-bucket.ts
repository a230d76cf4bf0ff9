/**
 * A token bucket as an immutable value: the gateway keeps one per connection and replaces it on
 * every frame. Pure — `now` is passed in — so a test can replay any burst exactly.
 */
export interface TokenBucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

export interface TokenBucketPolicy {
  /** Largest burst: the bucket never holds more than this. */
  readonly capacity: number;
  readonly refillPerSec: number;
}

/** A full bucket: a fresh connection may burst at once (a terminal resending after reconnect). */
export function createBucket(capacity: number, now: number): TokenBucket {
  return { tokens: Math.max(0, capacity), updatedAt: now };
}

/** The bucket as it stands at `now`, refilled for the time elapsed. */
export function refill(bucket: TokenBucket, now: number, policy: TokenBucketPolicy): TokenBucket {
  // A clock that stepped back refills nothing, and must not rewind `updatedAt` (which would grant
  // the same interval twice once the clock caught up).
  if (now <= bucket.updatedAt) return bucket;
  const earned = ((now - bucket.updatedAt) / 1000) * Math.max(0, policy.refillPerSec);
  return { tokens: Math.min(policy.capacity, bucket.tokens + earned), updatedAt: now };
}

/**
 * Take `cost` tokens. Refused when the bucket holds fewer; a refusal spends nothing, so a
 * connection that is refused and waits gets through again once it has earned the tokens.
 */
export function takeToken(
  bucket: TokenBucket,
  now: number,
  policy: TokenBucketPolicy,
  cost = 1,
): { ok: boolean; bucket: TokenBucket } {
  const current = refill(bucket, now, policy);
  if (current.tokens < cost) return { ok: false, bucket: current };
  return { ok: true, bucket: { tokens: current.tokens - cost, updatedAt: current.updatedAt } };
}
