/** Time as the rate limiter sees it; tests drive a fake one. */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up. A caller takes
 * its tokens at once and, when the bucket is in debt, sleeps until its share is earned, so
 * concurrent callers are paced in call order without a queue. `holdOff` makes everyone wait (a
 * 429's Retry-After applies to the whole instance, not to one request).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`rate must be a positive number, got ${ratePerSecond}`);
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
    this.tokens = capacity;
    this.updatedAt = clock.now();
  }

  /** A bucket that saves up at most one second of requests: bursts stay small against a 10-second window. */
  static perSecond(ratePerSecond: number, clock: Clock): TokenBucket {
    return new TokenBucket(ratePerSecond, Math.max(1, ratePerSecond), clock);
  }

  /** Resolves once `cost` tokens are this caller's. */
  async take(cost = 1): Promise<void> {
    this.refill();
    this.tokens -= cost;
    if (this.tokens < 0) await this.clock.sleep(Math.ceil((-this.tokens * 1000) / this.ratePerSecond));
  }

  /** No request may start for `ms` from now, beyond the debt already owed. */
  holdOff(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0) - (ms * this.ratePerSecond) / 1000;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.ratePerSecond) / 1000);
    this.updatedAt = now;
  }
}
