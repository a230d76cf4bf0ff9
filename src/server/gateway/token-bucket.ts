/**
 * Per-connection rate limit: a token bucket of `capacity` that refills at `refillPerSec`. Two
 * numbers per connection and no timer — refill is computed from `now` when a message arrives, so
 * 19,000 idle connections cost nothing.
 */
export interface RateLimit {
  capacity: number;
  refillPerSec: number;
}

export const defaultRateLimit: RateLimit = { capacity: 40, refillPerSec: 20 };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.capacity;
    this.last = now;
  }

  /** Take one token; false when the bucket is empty (the caller refuses the message). */
  take(now: number): boolean {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.limit.capacity, this.tokens + (elapsed * this.limit.refillPerSec) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
