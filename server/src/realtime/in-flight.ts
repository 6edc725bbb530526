/** Work still running (socket events being handled, presence updates), so a shutdown can wait for it. */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  get size(): number {
    return this.pending.size;
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = () => {
      this.pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /**
   * Resolves true once nothing is pending, what starts while waiting included, or false at `deadline`
   * (a `Date.now()` value; none by default).
   */
  async settle(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    while (this.pending.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const all = Promise.allSettled([...this.pending]);
      if (!Number.isFinite(left)) {
        await all;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      await Promise.race([all, expired]);
      clearTimeout(timer);
    }
    return true;
  }
}
