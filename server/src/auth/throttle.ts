import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * A budget of attempts per key (an account at an address, an address, a user and room) that may fail
 * `limit` times within the window. An attempt takes its point BEFORE the slow check it guards, so that
 * concurrent attempts cannot all pass a check made before any of them was counted; an attempt that
 * succeeds (or was never made) gives its point back, so honest use is never slowed.
 */
export class FailureThrottle {
  private readonly limiter: RateLimiterMemory;

  constructor(limit: number, windowMs: number) {
    this.limiter = new RateLimiterMemory({ points: limit, duration: Math.ceil(windowMs / 1000) });
  }

  /** Takes one attempt: 0 when taken, else the milliseconds until the key may try again. */
  async take(key: string): Promise<number> {
    try {
      await this.limiter.consume(key, 1);
      return 0;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
      throw refusal;
    }
  }

  /** Returns a point taken by `take` for an attempt that did not fail. */
  async giveBack(key: string): Promise<void> {
    const state = await this.limiter.get(key);
    // Once the window has ended the point is gone anyway; a reward then would credit the next window.
    if (state && state.consumedPoints > 0) await this.limiter.reward(key, 1);
  }
}
