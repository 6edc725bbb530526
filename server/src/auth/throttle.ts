import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Counts failures per key (an account, an address, a user and room) and blocks the key once it
 * has failed `limit` times within the window. Successes do not count, so honest use is never slowed.
 */
export class FailureThrottle {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly limit: number,
    windowMs: number,
  ) {
    this.limiter = new RateLimiterMemory({ points: limit, duration: Math.ceil(windowMs / 1000) });
  }

  /** Milliseconds until the key may try again, or 0 when it is not blocked. */
  async blockedFor(key: string): Promise<number> {
    const state = await this.limiter.get(key);
    return state && state.consumedPoints >= this.limit ? state.msBeforeNext : 0;
  }

  async recordFailure(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
